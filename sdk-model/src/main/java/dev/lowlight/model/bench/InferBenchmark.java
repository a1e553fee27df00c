package dev.lowlight.model.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.transform.DetectionTransform;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Eager DJL inference latency of Mask R-CNN per image, next to the time of its parts measured in
 * the same run on the same input: the image transform, the backbone body's forward alone (its
 * convolutions; denoisers included when configured), and the FPN. What remains of the total is
 * the heads, anchors, proposal selection, RoIAlign, NMS and post-processing, the part the SDK
 * writes itself; {@link Result#headsShare()} is its fraction of the total.
 *
 * <pre>{@code
 * InferBenchmark.Result r = InferBenchmark.run(ModelConfig.defaults(), 800, 1067, 2, 5);
 * System.out.println(r.describe());
 * }</pre>
 *
 * <p>{@code main [height width warmup iterations]} runs R50-FPN ({@link ModelConfig#defaults()})
 * with random weights on a random image, 800x1067 by default.
 */
public final class InferBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(InferBenchmark.class);

  /**
   * Median timings in milliseconds over the timed iterations.
   *
   * @param height input height
   * @param width input width
   * @param paddedHeight height the network saw
   * @param paddedWidth width the network saw
   * @param iterations timed iterations
   * @param totalMs {@code predict(image)} end to end
   * @param transformMs normalise, resize and pad
   * @param bodyMs the backbone body's forward alone
   * @param fpnMs the FPN's forward on the body's outputs
   * @param detections detections of the last iteration
   * @param engine the DJL engine and device
   */
  public record Result(int height, int width, int paddedHeight, int paddedWidth, int iterations, double totalMs,
      double transformMs, double bodyMs, double fpnMs, int detections, String engine) {

    /** Heads, anchors, proposal selection, RoIAlign, NMS and post-processing: what the rest leaves. */
    public double headsMs() {
      return Math.max(0, totalMs - transformMs - bodyMs - fpnMs);
    }

    /** {@link #headsMs()} over the total. */
    public double headsShare() {
      return headsMs() / totalMs;
    }

    /** The numbers as a short table. */
    public String describe() {
      return String.format(Locale.ROOT, """
          eager inference, %dx%d image (network input %dx%d), %s, median of %d
            total per image           %9.1f ms
            transform                 %9.1f ms  (%4.1f%%)
            backbone body (convs)     %9.1f ms  (%4.1f%%)
            FPN                       %9.1f ms  (%4.1f%%)
            heads+RoIAlign+NMS+post   %9.1f ms  (%4.1f%%)  %d detections
            total / body              %9.2f x""", height, width, paddedHeight, paddedWidth, engine, iterations,
          totalMs, transformMs, pct(transformMs), bodyMs, pct(bodyMs), fpnMs, pct(fpnMs), headsMs(),
          100 * headsShare(), detections, totalMs / bodyMs);
    }

    private double pct(double ms) {
      return 100 * ms / totalMs;
    }
  }

  private InferBenchmark() {}

  /**
   * Builds {@code config} with random weights and times it on a random {@code height × width}
   * image.
   *
   * @param warmup untimed iterations first (the first runs pay for allocation and kernel choice)
   * @param iterations timed iterations, at least 1
   */
  public static Result run(ModelConfig config, int height, int width, int warmup, int iterations) {
    if (iterations < 1 || warmup < 0) {
      throw new IllegalArgumentException("need iterations >= 1 and warmup >= 0, got " + iterations + ", " + warmup);
    }
    Random random = new Random(42);
    float[] pixels = new float[height * width * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    RgbImage image = new RgbImage(width, height, pixels);
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);
      return run(model, image, warmup, iterations);
    }
  }

  /**
   * Times {@code model} (already initialised or loaded, e.g. with {@code ModelDirectory.load}) on
   * {@code image}, so that eager inference is timed on the same weights and image as an exported
   * graph.
   */
  public static Result run(MaskRcnn model, RgbImage image, int warmup, int iterations) {
    if (iterations < 1 || warmup < 0) {
      throw new IllegalArgumentException("need iterations >= 1 and warmup >= 0, got " + iterations + ", " + warmup);
    }
    int height = image.height();
    int width = image.width();
    try (NDManager manager = NDManager.newBaseManager()) {
      int n = warmup + iterations;
      double[] total = new double[iterations];
      double[] transform = new double[iterations];
      double[] body = new double[iterations];
      double[] fpn = new double[iterations];
      int detections = 0;
      DetectionTransform.Prepared prepared = null;
      for (int it = 0; it < n; it++) {
        long t0 = System.nanoTime();
        Predictions p = model.predict(image);
        long t1 = System.nanoTime();
        prepared = model.transform().prepare(image);
        long t2 = System.nanoTime();
        double[] parts = backboneParts(model, manager, prepared);
        if (it >= warmup) {
          int k = it - warmup;
          total[k] = (t1 - t0) / 1e6;
          transform[k] = (t2 - t1) / 1e6;
          body[k] = parts[0];
          fpn[k] = parts[1];
        }
        detections = p.size();
        LOG.debug("iteration {}: total {} ms, body {} ms", it, (t1 - t0) / 1e6, parts[0]);
      }
      return new Result(height, width, prepared.paddedHeight(), prepared.paddedWidth(), iterations, median(total),
          median(transform), median(body), median(fpn), detections,
          manager.getEngine().getEngineName() + " " + manager.getEngine().getVersion() + " on "
              + manager.getDevice());
    }
  }

  /** Milliseconds of the body's forward and of the FPN's on its outputs. */
  private static double[] backboneParts(MaskRcnn model, NDManager manager, DetectionTransform.Prepared p) {
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(p.chw(), new Shape(1, 3, p.paddedHeight(), p.paddedWidth()));
      ParameterStore ps = new ParameterStore(m, false);
      long t0 = System.nanoTime();
      NDList features = model.backbone().forward(ps, new NDList(x), false);
      // PyTorch's CPU kernels are synchronous, so the clock stops when the work is done
      long t1 = System.nanoTime();
      model.neck().forward(ps, features, false);
      long t2 = System.nanoTime();
      return new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6};
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** {@code [height width warmup iterations]}, default {@code 800 1067 1 3}. */
  public static void main(String[] args) {
    int height = args.length > 0 ? Integer.parseInt(args[0]) : 800;
    int width = args.length > 1 ? Integer.parseInt(args[1]) : 1067;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    System.out.println(run(ModelConfig.defaults(), height, width, warmup, iterations).describe());
  }
}
