package dev.lowlight.bench.denoise;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.nn.Scalars;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.denoise.NonLocalAttention;
import dev.lowlight.denoise.WeightedNonLocalBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forward and backward time and peak memory of one weighted non-local block at the {@code res3},
 * {@code res4} and {@code res5} sizes of an image, next to the time of the ResNet-50 stage it
 * follows ({@code layer2}, {@code layer3}, {@code layer4}: bottlenecks with frozen batch norm,
 * trainable convolutions), all measured in the same run on the same device.
 *
 * <p>Peak memory is given twice: an estimate from the shapes (activations of the block, the
 * affinity working set of one chunk, and the {@code P×K} softmax that autograd keeps for the
 * backward pass), and, on Linux, the measured rise of the process's peak resident set ({@code
 * VmHWM}, reset through {@code /proc/self/clear_refs} before each block) over its resident set
 * before the block. The ResNet stage is built here from the SDK's layers rather than taken from
 * {@code sdk-backbones}, which depends on this module and not the other way round; it has
 * torchvision's {@code Bottleneck} layout.
 *
 * <pre>{@code
 * List<DenoiseBenchmark.Row> rows = DenoiseBenchmark.run(800, 1067, 2, 512L << 20);
 * System.out.println(DenoiseBenchmark.table(rows));
 * }</pre>
 *
 * <p>Needs a DJL engine with autograd (PyTorch) on the class path.
 */
public final class DenoiseBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(DenoiseBenchmark.class);

  private DenoiseBenchmark() {}

  /**
   * One measured stage.
   *
   * @param stage {@code res3}, {@code res4} or {@code res5}
   * @param channels feature channels
   * @param height feature map height
   * @param width feature map width
   * @param chunks query-row chunks of the attention under the budget
   * @param wnlbForwardMs median forward time of the wNLB, training mode
   * @param wnlbBackwardMs median backward time of the wNLB
   * @param wnlbPeakEstimateMb estimated peak memory of the wNLB's forward and backward
   * @param wnlbPeakMeasuredMb measured peak RSS rise during the wNLB, or -1 where unavailable
   * @param stageForwardMs median forward time of the ResNet-50 stage producing the map
   * @param stageBackwardMs median backward time of that stage
   */
  public record Row(String stage, int channels, long height, long width, long chunks, double wnlbForwardMs,
      double wnlbBackwardMs, double wnlbPeakEstimateMb, double wnlbPeakMeasuredMb, double stageForwardMs,
      double stageBackwardMs) {}

  /**
   * Runs the benchmark on the CPU.
   *
   * @param imageHeight input image height (800 in the paper's setting)
   * @param imageWidth input image width (1067 for a 4:3 image resized to 800)
   * @param iterations timed iterations per measurement, after one warm-up
   * @param budgetBytes the wNLB's attention memory budget
   */
  public static List<Row> run(int imageHeight, int imageWidth, int iterations, long budgetBytes) {
    if (imageHeight < 64 || imageWidth < 64) {
      throw new IllegalArgumentException("image must be at least 64x64, got " + imageHeight + "x" + imageWidth);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
    }
    LOG.info("denoise benchmark on {} with engine {}", Device.cpu(), Engine.getInstance().getEngineName());
    int[][] stages = {{2, 256, 128, 4}, {3, 512, 256, 6}, {4, 1024, 512, 3}};
    List<Row> rows = new ArrayList<>();
    for (int[] s : stages) {
      int level = s[0];
      int inChannels = s[1];
      int width = s[2];
      int blocks = s[3];
      int channels = width * 4;
      long inH = ceilDiv(imageHeight, 4L << (level - 2));
      long inW = ceilDiv(imageWidth, 4L << (level - 2));
      long h = ceilDiv(imageHeight, 8L << (level - 2));
      long w = ceilDiv(imageWidth, 8L << (level - 2));
      String name = "res" + (level + 1);
      double[] stage = timeStage(inChannels, width, blocks, new Shape(1, inChannels, inH, inW), iterations);
      double[] wnlb = timeWnlb(channels, new Shape(1, channels, h, w), iterations, budgetBytes);
      long p = h * w;
      long chunks = ceilDiv(p, NonLocalAttention.rowsPerChunk(1, p, budgetBytes));
      double estimate = estimateBytes(channels, p, budgetBytes) / (1024.0 * 1024.0);
      Row row = new Row(name, channels, h, w, chunks, wnlb[0], wnlb[1], estimate, wnlb[2], stage[0], stage[1]);
      LOG.info("{}", row);
      rows.add(row);
    }
    return rows;
  }

  /** Estimated peak bytes of one wNLB forward and backward at batch 1. */
  static long estimateBytes(long channels, long positions, long budgetBytes) {
    long inner = channels / 2;
    long rows = Math.min(positions, NonLocalAttention.rowsPerChunk(1, positions, budgetBytes));
    long activations = 4L * positions * (channels /* x */ + 3 * inner /* θ φ g */ + inner /* y */
        + 3 * channels /* W_z y, BN, output */);
    long savedSoftmax = 4L * positions * positions;
    long workingSet = rows * positions * 12L;
    // Backward roughly doubles the activations (their gradients) and needs one chunk's working set again.
    return 2 * activations + savedSoftmax + workingSet;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static double[] timeWnlb(int channels, Shape shape, int iterations, long budgetBytes) {
    try (NDManager base = NDManager.newBaseManager(Device.cpu())) {
      WeightedNonLocalBlock block = WeightedNonLocalBlock.builder().setChannels(channels)
          .optMemoryBudgetBytes(budgetBytes).build();
      block.initialize(base, DataType.FLOAT32, shape);
      // Start away from the identity, so the timed work is the trained block's.
      TorchNames.parameters(block).get("w").getArray().set(new float[] {0.5f});
      List<Double> fwd = new ArrayList<>();
      List<Double> bwd = new ArrayList<>();
      double peak = -1;
      for (int i = 0; i <= iterations; i++) {
        try (NDManager sub = base.newSubManager()) {
          NDArray x = sub.randomNormal(shape);
          long rssBefore = resetPeakRss();
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            long t0 = System.nanoTime();
            NDArray z = block.forward(new ParameterStore(sub, false), new NDList(x), true).singletonOrThrow();
            z.getFloat(0, 0, 0, 0);
            long t1 = System.nanoTime();
            gc.backward(z.mean());
            TorchNames.parameters(block).get("w").getArray().getGradient().getFloat(0);
            long t2 = System.nanoTime();
            gc.zeroGradients();
            if (i > 0) {
              fwd.add((t1 - t0) / 1e6);
              bwd.add((t2 - t1) / 1e6);
            }
          }
          long hwm = peakRss();
          if (rssBefore > 0 && hwm > 0) {
            peak = Math.max(peak, (hwm - rssBefore) / (1024.0 * 1024.0));
          }
        }
      }
      return new double[] {median(fwd), median(bwd), peak};
    }
  }

  /** Times torchvision's {@code layerN}: {@code blocks} bottlenecks, the first with stride 2 and a downsample. */
  private static double[] timeStage(int inChannels, int width, int blocks, Shape shape, int iterations) {
    try (NDManager base = NDManager.newBaseManager(Device.cpu())) {
      List<NDArray[]> units = new ArrayList<>();
      int in = inChannels;
      for (int b = 0; b < blocks; b++) {
        int out = width * 4;
        NDArray[] u = {
          conv(base, width, in, 1), conv(base, width, width, 3), conv(base, out, width, 1),
          b == 0 ? conv(base, out, in, 1) : null
        };
        units.add(u);
        in = out;
      }
      List<Double> fwd = new ArrayList<>();
      List<Double> bwd = new ArrayList<>();
      for (int i = 0; i <= iterations; i++) {
        try (NDManager sub = base.newSubManager()) {
          NDArray x = sub.randomNormal(shape);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            long t0 = System.nanoTime();
            NDArray y = x;
            for (int b = 0; b < units.size(); b++) {
              NDArray[] u = units.get(b);
              int stride = b == 0 ? 2 : 1;
              NDArray t = frozenBnRelu(convolve(y, u[0], 1, 0), true);
              t = frozenBnRelu(convolve(t, u[1], stride, 1), true);
              t = frozenBnRelu(convolve(t, u[2], 1, 0), false);
              NDArray identity = u[3] == null ? y : frozenBnRelu(convolve(y, u[3], stride, 0), false);
              y = Activation.relu(t.add(identity));
            }
            y.getFloat(0, 0, 0, 0);
            long t1 = System.nanoTime();
            gc.backward(y.mean());
            units.get(0)[0].getGradient().getFloat(0, 0, 0, 0);
            long t2 = System.nanoTime();
            gc.zeroGradients();
            if (i > 0) {
              fwd.add((t1 - t0) / 1e6);
              bwd.add((t2 - t1) / 1e6);
            }
          }
        }
      }
      return new double[] {median(fwd), median(bwd)};
    }
  }

  private static NDArray conv(NDManager m, int out, int in, int k) {
    NDArray w = m.randomNormal(0, (float) Math.sqrt(2.0 / (in * k * k)), new Shape(out, in, k, k), DataType.FLOAT32);
    w.setRequiresGradient(true);
    return w;
  }

  private static NDArray convolve(NDArray x, NDArray w, int stride, int pad) {
    return Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1)).singletonOrThrow();
  }

  /** Frozen batch norm with unit statistics costs one multiply-add per element, as in the real body. */
  private static NDArray frozenBnRelu(NDArray x, boolean relu) {
    NDArray y = Scalars.mul(x, 0.9f).add(0.01f);
    return relu ? Activation.relu(y) : y;
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** Resets the peak RSS where Linux allows it; returns the current RSS in bytes, or -1. */
  private static long resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return status("VmRSS:");
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long peakRss() {
    try {
      return status("VmHWM:");
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long status(String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024L;
      }
    }
    return -1;
  }

  /** A Markdown table of {@code rows}. */
  public static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| stage | C x H x W | chunks | wNLB fwd ms | wNLB bwd ms | wNLB peak MiB (est / measured) "
        + "| ResNet-50 stage fwd ms | stage bwd ms | wNLB / stage (fwd+bwd) |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %dx%dx%d | %d | %.0f | %.0f | %.0f / %s | %.0f | %.0f | %.2f |%n",
          r.stage(), r.channels(), r.height(), r.width(), r.chunks(), r.wnlbForwardMs(), r.wnlbBackwardMs(),
          r.wnlbPeakEstimateMb(), r.wnlbPeakMeasuredMb() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f",
              r.wnlbPeakMeasuredMb()), r.stageForwardMs(), r.stageBackwardMs(),
          (r.wnlbForwardMs() + r.wnlbBackwardMs()) / (r.stageForwardMs() + r.stageBackwardMs())));
    }
    return sb.toString();
  }

  /**
   * Prints the table for {@code [height width iterations budgetMiB]} (default {@code 800 1067 2
   * 512}).
   */
  public static void main(String[] args) {
    int h = args.length > 0 ? Integer.parseInt(args[0]) : 800;
    int w = args.length > 1 ? Integer.parseInt(args[1]) : 1067;
    int it = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    long budget = (args.length > 3 ? Long.parseLong(args[3]) : 512L) << 20;
    System.out.print(table(run(h, w, it, budget)));
  }
}
