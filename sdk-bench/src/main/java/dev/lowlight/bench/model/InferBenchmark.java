package dev.lowlight.bench.model;

import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.transform.DetectionTransform;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Eager DJL inference latency of Mask R-CNN per image, with the time of each stage of the very
 * {@link MaskRcnn#predict(RgbImage, StageClock)} call (through its clock hook, not a copy): the
 * image transform, the backbone body (its convolutions; denoisers included when configured), the
 * FPN, the RPN head with anchors and proposal selection, RoIAlign (box and mask), the box and mask
 * heads, and post-processing (box decoding, NMS, mask selection). {@link Result#headsShare()} is
 * the fraction of the total spent after the FPN, the part the SDK writes itself.
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

  /** The stages {@link MaskRcnn#predict(RgbImage, StageClock)} laps, in order. */
  public static final List<String> STAGES = List.of("transform", "backbone", "fpn", "rpn", "roialign", "heads",
      "post");

  /**
   * Median timings in milliseconds over the timed iterations.
   *
   * @param height input height
   * @param width input width
   * @param paddedHeight height the network saw
   * @param paddedWidth width the network saw
   * @param iterations timed iterations
   * @param totalMs {@code predict(image)} end to end
   * @param stageMs median milliseconds of each of {@link #STAGES}
   * @param detections detections of the last iteration
   * @param engine the DJL engine and device
   */
  public record Result(int height, int width, int paddedHeight, int paddedWidth, int iterations, double totalMs,
      Map<String, Double> stageMs, int detections, String engine) {

    public Result {
      stageMs = Collections.unmodifiableMap(new LinkedHashMap<>(stageMs));
    }

    /** The backbone body's time (its convolutions, denoisers included). */
    public double bodyMs() {
      return stageMs.getOrDefault("backbone", 0.0);
    }

    /** RPN, RoIAlign, heads and post-processing: everything after the FPN. */
    public double headsMs() {
      return stageMs.getOrDefault("rpn", 0.0) + stageMs.getOrDefault("roialign", 0.0)
          + stageMs.getOrDefault("heads", 0.0) + stageMs.getOrDefault("post", 0.0);
    }

    /** {@link #headsMs()} over the total. */
    public double headsShare() {
      return headsMs() / totalMs;
    }

    /** The numbers as a short table. */
    public String describe() {
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
          "eager inference, %dx%d image (network input %dx%d), %s, median of %d%n"
              + "  total per image           %9.1f ms%n", height, width, paddedHeight, paddedWidth, engine,
          iterations, totalMs));
      stageMs.forEach((stage, ms) -> sb.append(String.format(Locale.ROOT, "  %-25s %9.1f ms  (%4.1f%%)%n", stage,
          ms, 100 * ms / totalMs)));
      sb.append(String.format(Locale.ROOT, "  after the FPN             %9.1f ms  (%4.1f%%)  %d detections%n",
          headsMs(), 100 * headsShare(), detections));
      sb.append(String.format(Locale.ROOT, "  total / body              %9.2f x", totalMs / bodyMs()));
      return sb.toString();
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
    double[] total = new double[iterations];
    Map<String, double[]> stages = new LinkedHashMap<>();
    STAGES.forEach(st -> stages.put(st, new double[iterations]));
    int detections = 0;
    for (int it = 0; it < warmup + iterations; it++) {
      Map<String, Double> laps = new LinkedHashMap<>();
      long[] last = {System.nanoTime()};
      long t0 = last[0];
      Predictions p = model.predict(image, stage -> {
        long now = System.nanoTime();
        laps.merge(stage, (now - last[0]) / 1e6, Double::sum);
        last[0] = now;
      });
      long t1 = System.nanoTime();
      if (it >= warmup) {
        int k = it - warmup;
        total[k] = (t1 - t0) / 1e6;
        for (String st : STAGES) {
          stages.get(st)[k] = laps.getOrDefault(st, 0.0);
        }
      }
      detections = p.size();
      LOG.debug("iteration {}: total {} ms, stages {}", it, (t1 - t0) / 1e6, laps);
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    stages.forEach((st, v) -> medians.put(st, median(v)));
    DetectionTransform.Prepared prepared = model.transform().prepare(image);
    NDManager parameters = model.parameters().getParameters().valueAt(0).getArray().getManager();
    return new Result(image.height(), image.width(), prepared.paddedHeight(), prepared.paddedWidth(), iterations,
        median(total), medians, detections, parameters.getEngine().getEngineName() + " "
            + parameters.getEngine().getVersion() + " on " + parameters.getDevice());
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
