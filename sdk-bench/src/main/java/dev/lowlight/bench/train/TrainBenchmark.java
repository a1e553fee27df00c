package dev.lowlight.bench.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.nn.StrayArrays;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.dataset.SceneBatches;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.model.Losses;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Seeds;
import dev.lowlight.model.StageClock;
import dev.lowlight.train.FreezePolicy;
import dev.lowlight.train.optim.GradientClipping;
import dev.lowlight.train.optim.Optimizer;
import dev.lowlight.train.optim.TrainableParameter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training throughput of Mask R-CNN on this machine: seconds per iteration of the {@link
 * dev.lowlight.train.Trainer}'s step ({@link MaskRcnn#losses}, backward, gradient clipping, the
 * configured optimizer, every step's arrays in a child {@link NDManager}), a breakdown of one step
 * into its stages, the backbone's convolutions alone forward and backward with the same shapes and
 * the same frozen layers (their FLOP rate is what the step's own rate is compared with), peak heap
 * and resident memory, and a leak check (resident memory after {@code K2} iterations against after
 * {@code K1}).
 *
 * <pre>{@code
 * TrainBenchmark.Report r = TrainBenchmark.run(TrainBenchmark.Settings.r50(512, 2, 1, 3));
 * System.out.println(r.describe());
 * TrainBenchmark.Leak leak = TrainBenchmark.leak(TrainBenchmark.Settings.small(256, 2), 50, 500);
 * }</pre>
 *
 * <p>PyTorch's CPU kernels run synchronously, so the wall clock between two calls measures the
 * work of the calls between them. On a GPU the stage times would need a synchronisation; this
 * benchmark measures the CPU.
 */
public final class TrainBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(TrainBenchmark.class);

  /** The stages of {@link Report#stagesMs()}, in step order. */
  public static final List<String> STAGES = List.of("data", "backbone", "fpn", "rpn", "roialign", "heads", "loss",
      "backward", "optimizer");

  /**
   * What to run.
   *
   * @param name a short description of the model, printed with the numbers
   * @param config the model (its transform should keep {@code size} as it is)
   * @param size square image side
   * @param batch images per iteration
   * @param warmup untimed iterations first
   * @param iterations timed iterations of the real step
   * @param breakdownIterations instrumented iterations for the stage breakdown
   * @param convRepeats timed repetitions of the convolutions-alone pass (best kept)
   */
  public record Settings(String name, ModelConfig config, int size, int batch, int warmup, int iterations,
      int breakdownIterations, int convRepeats) {

    /** Checks the counts. */
    public Settings {
      if (config == null) {
        throw new IllegalArgumentException("config must not be null");
      }
      if (size < 32 || batch < 1 || warmup < 0 || iterations < 1 || breakdownIterations < 1 || convRepeats < 1) {
        throw new IllegalArgumentException("need size >= 32, batch >= 1, warmup >= 0, iterations >= 1,"
            + " breakdown iterations >= 1, conv repeats >= 1; got size=" + size + ", batch=" + batch + ", warmup="
            + warmup + ", iterations=" + iterations + ", breakdown=" + breakdownIterations + ", convRepeats="
            + convRepeats);
      }
    }

    /** ResNet-50 FPN with frozen batch norm and 8 classes (torchvision's defaults otherwise) at {@code size}. */
    public static Settings r50(int size, int batch, int warmup, int iterations) {
      return new Settings("R50-FPN (frozen BN, 8 classes, random init)", config("""
          num_classes: 8
          backbone: {name: resnet50, options: {norm: frozen}}
          """, size), size, batch, warmup, iterations, 2, 2);
    }

    /** ResNet-18 FPN with 64 channels, frozen batch norm and 8 classes: the leak check's default. */
    public static Settings small(int size, int batch) {
      return new Settings("R18-FPN-64 (frozen BN, 8 classes, random init)", config("""
          num_classes: 8
          backbone: {name: resnet18, options: {norm: frozen}}
          neck: {name: fpn, options: {out_channels: 64}}
          """, size), size, batch, 1, 3, 1, 1);
    }

    /** The demo's model ({@link dev.lowlight.train.ModelConfigs#DEMO}, 8 classes) at 128x128. */
    public static Settings demo(int batch) {
      return new Settings("demo model (R18-FPN-32, trainable BN, weighted non-local, 8 classes, random init)",
          ConfigLoader.parse(java.util.List.of(dev.lowlight.train.ModelConfigs.DEMO,
              "num_classes: 8\ntransform: {min_size: 128, max_size: 128}\n"), true), 128, batch, 1, 3, 1, 1);
    }

    /** {@code yaml} (a partial model configuration) with a transform that keeps {@code size}. */
    public static ModelConfig config(String yaml, int size) {
      return ConfigLoader.parse(yaml + "transform: {min_size: " + size + ", max_size: " + size + "}\n", true);
    }

    /** The same settings with other counts. */
    public Settings withCounts(int warmup, int iterations, int breakdownIterations, int convRepeats) {
      return new Settings(name, config, size, batch, warmup, iterations, breakdownIterations, convRepeats);
    }
  }

  /**
   * Measured numbers; times in milliseconds, FLOP rates in GFLOP/s, memory in bytes.
   *
   * @param settings what ran
   * @param engine the engine, its version, device and threads
   * @param stepMs median time of the real step (data included)
   * @param stagesMs median time per stage of the instrumented step ({@link #STAGES})
   * @param convMs the backbone's convolutions alone, forward and backward
   * @param convFlops their FLOPs
   * @param stepFlops FLOPs of every convolution and linear layer of the step, forward and backward
   * @param meanRois sampled RoIs per step (all images)
   * @param meanPositives positive RoIs per step (those the mask head sees)
   * @param heapPeakBytes peak heap during the run ({@link ProcessMemory#heapPeakBytes()})
   * @param rssBytes resident memory at the end
   * @param rssPeakBytes the process's resident high water mark at the end
   * @param losses the loss terms of the last step
   */
  public record Report(Settings settings, String engine, double stepMs, Map<String, Double> stagesMs, double convMs,
      double convFlops, double stepFlops, double meanRois, double meanPositives, long heapPeakBytes, long rssBytes,
      long rssPeakBytes, Map<String, Double> losses) {

    /** Seconds per iteration of the real step. */
    public double secondsPerIteration() {
      return stepMs / 1000;
    }

    /** GFLOP/s of the backbone's convolutions alone. */
    public double convGflops() {
      return convFlops / convMs / 1e6;
    }

    /** GFLOP/s of the step: its layers' FLOPs over its whole time. */
    public double stepGflops() {
      return stepFlops / stepMs / 1e6;
    }

    /** The step's FLOP rate over the convolutions' (goal: at least 0.6). */
    public double ratio() {
      return stepGflops() / convGflops();
    }

    /** The numbers as a table. */
    public String describe() {
      StringBuilder sb = new StringBuilder();
      Settings s = settings;
      sb.append(String.format(Locale.ROOT, "train benchmark: %s, %dx%d, batch %d, %s%n", s.name(), s.size(), s.size(),
          s.batch(), engine));
      sb.append(String.format(Locale.ROOT, "  step (Trainer's: forward, backward, clip, optimizer; data included)"
          + " %8.2f s/iteration  (median of %d after %d warm-up)%n", secondsPerIteration(), s.iterations(),
          s.warmup()));
      double sum = stagesMs.values().stream().mapToDouble(Double::doubleValue).sum();
      sb.append(String.format(Locale.ROOT, "  breakdown (instrumented step, median of %d, sum %.2f s):%n",
          s.breakdownIterations(), sum / 1000));
      stagesMs.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "    %-10s %9.1f ms  %5.1f%%%n", k, v,
          100 * v / sum)));
      sb.append(String.format(Locale.ROOT, "  RoIs per step %.0f (positives %.0f)%n", meanRois, meanPositives));
      sb.append(String.format(Locale.ROOT, "  backbone convolutions alone, forward+backward: %.1f GFLOP in %.1f ms"
          + " = %.1f GFLOP/s%n", convFlops / 1e9, convMs, convGflops()));
      sb.append(String.format(Locale.ROOT, "  training step: %.1f GFLOP (backbone convs %.1f + FPN, RPN, heads %.1f)"
          + " in %.1f ms = %.1f GFLOP/s%n", stepFlops / 1e9, convFlops / 1e9, (stepFlops - convFlops) / 1e9, stepMs,
          stepGflops()));
      sb.append(String.format(Locale.ROOT, "  step rate / conv rate = %.2f (goal >= 0.60: %s)%n", ratio(),
          ratio() >= 0.6 ? "met" : "not met"));
      sb.append(String.format(Locale.ROOT, "  memory: peak heap %.0f MiB, resident %.0f MiB (high water %.0f MiB)%n",
          heapPeakBytes / 1048576.0, rssBytes / 1048576.0, rssPeakBytes / 1048576.0));
      sb.append("  last losses ").append(fmt(losses));
      return sb.toString();
    }
  }

  /**
   * The leak check's numbers.
   *
   * @param name the model
   * @param size square image side
   * @param batch images per iteration
   * @param k1 iterations before the first reading
   * @param k2 iterations before the second reading
   * @param rssK1 resident bytes after {@code k1} iterations
   * @param rssK2 resident bytes after {@code k2} iterations
   * @param heapK2 heap bytes in use after {@code k2} iterations (after a GC request)
   * @param secondsPerIteration mean time per iteration
   */
  public record Leak(String name, int size, int batch, int k1, int k2, long rssK1, long rssK2, long heapK2,
      double secondsPerIteration) {

    /** Growth of the resident set from {@code k1} to {@code k2} in percent. */
    public double growthPercent() {
      return 100.0 * (rssK2 - rssK1) / rssK1;
    }

    /** One paragraph. */
    public String describe() {
      return String.format(Locale.ROOT, "leak check: %s, %dx%d, batch %d, %.2f s/iteration%n"
          + "  resident after %d iterations %.1f MiB, after %d %.1f MiB: growth %+.2f%% (goal < 5%%: %s);"
          + " heap in use %.0f MiB", name, size, size, batch, secondsPerIteration, k1, rssK1 / 1048576.0, k2,
          rssK2 / 1048576.0, growthPercent(), growthPercent() < 5 ? "met" : "not met", heapK2 / 1048576.0);
    }
  }

  private TrainBenchmark() {}

  /** Runs the throughput benchmark. */
  public static Report run(Settings s) {
    ProcessMemory.resetHeapPeak();
    Engine.getInstance().setRandomSeed(7);
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(s.config()).build().initialize(manager);
      List<TrainableParameter> trainable = FreezePolicy.of(s.config().solver().trainable()).apply(model);
      SceneBatches data = scenes(s, 0, 11);

      // the layers' input shapes at this benchmark's size: re-initialising existing parameters only records shapes
      Shape image = new Shape(s.batch(), 3, data.paddedHeight(), data.paddedWidth());
      model.backbone().initialize(manager, DataType.FLOAT32, image);
      Shape[] features = model.backbone().getOutputShapes(new Shape[] {image});
      model.neck().initialize(manager, DataType.FLOAT32, features);
      Shape[] levels = model.neck().getOutputShapes(features);
      List<ConvFlops.Layer> body = ConvFlops.layers(model.backbone(), false);
      List<ConvFlops.Layer> neck = ConvFlops.layers(model.neck(), true);
      double rpnFlops = rpnHeadFlops(model, levels);
      List<ConvFlops.Layer> boxPerRoi = ConvFlops.layers(model.roiHeads().boxHead(), true);
      List<ConvFlops.Layer> maskPerRoi = ConvFlops.layers(model.roiHeads().maskHead(), true);

      double convMs = Double.MAX_VALUE;
      for (int r = 0; r < s.convRepeats() + 1; r++) {
        double ms = convolutionsAlone(manager, body);
        if (r > 0) {
          convMs = Math.min(convMs, ms);
        }
      }
      GradientClipping.zero(trainable, manager);

      Instrumented instrumented = new Instrumented(model);
      double[] step = new double[s.iterations()];
      Map<String, double[]> stages = new LinkedHashMap<>();
      STAGES.forEach(k -> stages.put(k, new double[s.breakdownIterations()]));
      double rois = 0;
      double positives = 0;
      Map<String, Double> losses = Map.of();
      try (Optimizer optimizer = Optimizer.fromConfig(s.config().solver(), manager)) {
        for (int it = 0; it < s.warmup() + s.iterations(); it++) {
          long t0 = System.nanoTime();
          Batch batch = data.next();
          losses = realStep(manager, model, optimizer, trainable, s, batch, Seeds.mix(17, it), StageClock.NONE);
          if (losses.values().stream().anyMatch(v -> !Double.isFinite(v))) {
            // a timing of a diverged step means nothing: say where it went wrong instead
            throw new IllegalStateException("benchmark " + s.name() + ": iteration " + it + " has non-finite losses "
                + fmt(losses) + " (engine " + engine(manager) + ")");
          }
          if (it >= s.warmup()) {
            step[it - s.warmup()] = (System.nanoTime() - t0) / 1e6;
          }
          LOG.info("iteration {}: {} ms, losses {}", it, (System.nanoTime() - t0) / 1e6, fmt(losses));
        }
        for (int it = 0; it < s.breakdownIterations(); it++) {
          Map<String, Double> t = instrumented.step(manager, data, optimizer, trainable, s, 1000 + it);
          for (String k : STAGES) {
            stages.get(k)[it] = t.get(k);
          }
          rois += instrumented.lastRois;
          positives += instrumented.lastPositives;
        }
      }
      rois /= s.breakdownIterations();
      positives /= s.breakdownIterations();
      Map<String, Double> stageMedians = new LinkedHashMap<>();
      stages.forEach((k, v) -> stageMedians.put(k, median(v)));
      double convFlops = ConvFlops.trainingFlops(body);
      double stepFlops = convFlops + ConvFlops.trainingFlops(neck) + 3 * rpnFlops
          + rois * ConvFlops.trainingFlops(boxPerRoi) / boxPerRoi.get(0).input().get(0)
          + positives * ConvFlops.trainingFlops(maskPerRoi) / maskPerRoi.get(0).input().get(0);
      return new Report(s, engine(manager), median(step), stageMedians, convMs, convFlops, stepFlops, rois,
          positives, ProcessMemory.heapPeakBytes(), ProcessMemory.residentBytes(), ProcessMemory.residentPeakBytes(),
          losses);
    }
  }

  /**
   * Trains {@code k2} iterations of the real step on a cycle of pre-generated scenes (so the data
   * allocates nothing new) and reads the resident set after {@code k1} and after {@code k2}.
   */
  public static Leak leak(Settings s, int k1, int k2) {
    if (k1 < 1 || k2 <= k1) {
      throw new IllegalArgumentException("need 1 <= K1 < K2 for the leak check, got K1=" + k1 + ", K2=" + k2);
    }
    Engine.getInstance().setRandomSeed(7);
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(s.config()).build().initialize(manager);
      List<TrainableParameter> trainable = FreezePolicy.of(s.config().solver().trainable()).apply(model);
      SceneBatches data = scenes(s, 4 * s.batch(), 23);
      long rss1 = 0;
      long t0 = System.nanoTime();
      try (Optimizer optimizer = Optimizer.fromConfig(s.config().solver(), manager)) {
        for (int it = 0; it < k2; it++) {
          realStep(manager, model, optimizer, trainable, s, data.next(), Seeds.mix(17, it), StageClock.NONE);
          if (it + 1 == k1) {
            rss1 = ProcessMemory.residentBytes();
            LOG.info("leak check: {} iterations, resident {} MiB", k1, rss1 >> 20);
          } else if ((it + 1) % 50 == 0) {
            LOG.info("leak check: {} iterations, resident {} MiB, {} arrays under the model's manager", it + 1,
                ProcessMemory.residentBytes() >> 20, manager.getManagedArrays().size());
          }
        }
      }
      long rss2 = ProcessMemory.residentBytes();
      double perIt = (System.nanoTime() - t0) / 1e9 / k2;
      System.gc();
      Runtime rt = Runtime.getRuntime();
      return new Leak(s.name(), s.size(), s.batch(), k1, k2, rss1, rss2, rt.totalMemory() - rt.freeMemory(), perIt);
    }
  }

  /**
   * The {@link dev.lowlight.train.Trainer}'s step: forward and backward in a child manager, clip,
   * update, zero, and (as the trainer does) what the step left in the parameters' manager closed;
   * {@code clock} is told where the forward's stages, the loss, the backward pass and the optimizer
   * end.
   */
  private static Map<String, Double> realStep(NDManager manager, MaskRcnn model, Optimizer optimizer,
      List<TrainableParameter> trainable, Settings s, Batch batch, long seed, StageClock clock) {
    try (StrayArrays strays = StrayArrays.watch(manager)) {
      Map<String, Double> values;
      try (NDManager step = manager.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Losses losses = model.losses(step, batch, seed, clock);
        values = losses.values();
        clock.lap("loss");
        losses.backward(gc);
        clock.lap("backward");
      }
      clock.lap("backward");
      if (s.config().solver().clipGradNorm() > 0) {
        GradientClipping.clip(trainable, s.config().solver().clipGradNorm(), manager);
      }
      optimizer.step(trainable, s.config().solver().baseLr() * 0.1);
      GradientClipping.zero(trainable, manager);
      clock.lap("optimizer");
      return values;
    }
  }

  /** Forward FLOPs of the RPN head, whose convolutions run once per neck level. */
  private static double rpnHeadFlops(MaskRcnn model, Shape[] levels) {
    double sum = 0;
    for (ConvFlops.Layer layer : ConvFlops.layers(model.rpn().head(), true)) {
      Shape w = layer.block().getParameters().get("weight").getArray().getShape();
      for (Shape level : levels) {
        // the head's convolutions keep the level's size (3x3 with padding 1, then 1x1)
        sum += ConvFlops.convFlops(w, new Shape(level.get(0), w.get(0), level.get(2), level.get(3)));
      }
    }
    return sum;
  }

  /**
   * Each of the backbone's convolutions on a random input of its shape, forward and (where the
   * step computes one) backward, with the step's gradient flags; milliseconds in all.
   */
  private static double convolutionsAlone(NDManager manager, List<ConvFlops.Layer> layers) {
    double total = 0;
    for (ConvFlops.Layer layer : layers) {
      try (NDManager m = manager.newSubManager()) {
        NDArray x = m.randomUniform(0, 1, layer.input());
        if (layer.inputGrad()) {
          x.setRequiresGradient(true);
        }
        ParameterStore ps = new ParameterStore(m, false);
        Shape outShape = layer.block().getOutputShapes(new Shape[] {layer.input()})[0];
        // a dense upstream gradient: sum()'s own gradient is a zero-stride expansion, which sends
        // oneDNN's 1x1 backward kernels down a path that crashes (SIGFPE) on some shapes
        NDArray upstream = m.randomUniform(0, 1, outShape);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          long t0 = System.nanoTime();
          NDArray y = layer.block().forward(ps, new NDList(x), true).singletonOrThrow();
          if (layer.weightGrad() || layer.inputGrad()) {
            LOG.debug("convolution alone: {} on {} (weight grad {}, input grad {})", layer.block(), layer.input(),
                layer.weightGrad(), layer.inputGrad());
            gc.backward(y.mul(upstream).sum());
          }
          total += (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    return total;
  }

  /** The trainer's step with a clock between its stages, and the RoI counts of the last one. */
  private static final class Instrumented {
    private final MaskRcnn model;
    int lastRois;
    int lastPositives;

    Instrumented(MaskRcnn model) {
      this.model = model;
    }

    Map<String, Double> step(NDManager manager, SceneBatches data, Optimizer optimizer, List<TrainableParameter> trainable,
        Settings s, long seed) {
      Map<String, Double> t = new LinkedHashMap<>();
      STAGES.forEach(k -> t.put(k, 0.0));
      Clock clock = new Clock(t);
      Batch batch = data.next();
      clock.lap("data");
      realStep(manager, model, optimizer, trainable, s, batch, seed, new StageClock() {
        @Override
        public void lap(String stage) {
          clock.lap(stage);
        }

        @Override
        public void sampled(int rois, int positives) {
          lastRois = rois;
          lastPositives = positives;
        }
      });
      return t;
    }
  }

  /** Adds the time since the previous lap to a stage. */
  private static final class Clock {
    private final Map<String, Double> times;
    private long last = System.nanoTime();

    Clock(Map<String, Double> times) {
      this.times = times;
    }

    void lap(String stage) {
      long now = System.nanoTime();
      times.merge(stage, (now - last) / 1e6, Double::sum);
      last = now;
    }
  }

  /**
   * Scenes at exactly {@code size} with 3 to 8 objects: a cycle of {@code pool} scenes, or fresh
   * ones every batch ({@code pool == 0}, so the data time includes rendering).
   */
  private static SceneBatches scenes(Settings s, int pool, long seed) {
    int maxObject = Math.max(24, s.size() / 3);
    SceneGenerator generator = SceneGenerator.builder().optWidth(s.size()).optHeight(s.size()).optMinObjects(3)
        .optMaxObjects(8).optMinObjectSize(Math.min(16, maxObject / 2)).optMaxObjectSize(maxObject).build();
    return pool == 0 ? SceneBatches.endless(s.config(), generator, seed, s.batch())
        : new SceneBatches(s.config(), generator, pool, seed, s.batch());
  }

  private static String engine(NDManager manager) {
    Engine e = manager.getEngine();
    return e.getEngineName() + " " + e.getVersion() + " on " + manager.getDevice() + ", "
        + System.getProperty("ai.djl.pytorch.num_threads", "default") + " intra-op threads, "
        + Runtime.getRuntime().availableProcessors() + " cores";
  }

  private static String fmt(Map<String, Double> m) {
    StringBuilder sb = new StringBuilder("{");
    m.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=')
        .append(String.format(Locale.ROOT, "%.4f", v)));
    return sb.append('}').toString();
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /**
   * Command line: {@code [--size 512] [--batch 2] [--warmup 1] [--iterations 3] [--breakdown 2]
   * [--leak-iterations 50,500] [--leak-config demo|small|r50] [--no-leak] [--no-throughput]}.
   */
  public static void main(String[] args) {
    int size = 512;
    int batch = 2;
    int warmup = 1;
    int iterations = 3;
    int breakdown = 2;
    String leakIterations = "50,500";
    String leakConfig = "small";
    boolean leak = true;
    boolean throughput = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size" -> size = Integer.parseInt(value(args, ++i));
        case "--batch" -> batch = Integer.parseInt(value(args, ++i));
        case "--warmup" -> warmup = Integer.parseInt(value(args, ++i));
        case "--iterations" -> iterations = Integer.parseInt(value(args, ++i));
        case "--breakdown" -> breakdown = Integer.parseInt(value(args, ++i));
        case "--leak-iterations" -> leakIterations = value(args, ++i);
        case "--leak-config" -> leakConfig = value(args, ++i);
        case "--no-leak" -> leak = false;
        case "--no-throughput" -> throughput = false;
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --size --batch"
            + " --warmup --iterations --breakdown --leak-iterations --leak-config --no-leak --no-throughput");
      }
    }
    if (throughput) {
      System.out.println(run(Settings.r50(size, batch, warmup, iterations).withCounts(warmup, iterations, breakdown,
          2)).describe());
    }
    if (leak) {
      int[] k = leakIterations(leakIterations);
      System.out.println(leak(leakSettings(leakConfig, batch), k[0], k[1]).describe());
    }
  }

  /** {@code "K1,K2"} parsed and checked. */
  public static int[] leakIterations(String text) {
    String[] parts = text.split(",");
    try {
      if (parts.length == 2) {
        int k1 = Integer.parseInt(parts[0].trim());
        int k2 = Integer.parseInt(parts[1].trim());
        if (k1 >= 1 && k2 > k1) {
          return new int[] {k1, k2};
        }
      }
    } catch (NumberFormatException e) {
      // reported below with the expected form
    }
    throw new IllegalArgumentException("--leak-iterations takes K1,K2 with 1 <= K1 < K2 (e.g. 50,500), got '" + text
        + "'");
  }

  /**
   * The leak check's model: {@code demo} (the demo's model at 128x128, about 0.2 s per iteration on
   * two cores), {@code small} (R18-FPN-64 at 256x256, 2 to 4 s) or {@code r50} (R50-FPN at 512x512,
   * about 15 s).
   */
  public static Settings leakSettings(String name, int batch) {
    return switch (name) {
      case "demo" -> Settings.demo(batch);
      case "small" -> Settings.small(256, batch);
      case "r50" -> Settings.r50(512, batch, 0, 1);
      default -> throw new IllegalArgumentException("--leak-config must be demo, small or r50, got '" + name + "'");
    };
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }
}
