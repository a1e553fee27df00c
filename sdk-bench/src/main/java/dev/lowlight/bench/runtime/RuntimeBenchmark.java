package dev.lowlight.bench.runtime;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.Instance;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.PredictorOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Latency and throughput of a model file on ONNX Runtime: {@code warmup} untimed predictions,
 * then {@code runs} timed ones spread over {@code threads} callers sharing one session; reports
 * p50/p95 latency per prediction and images per second (runs divided by the wall time of the
 * timed phase). The image is a file, or a seeded synthetic one of the given size.
 *
 * <pre>{@code
 * java -cp ... dev.lowlight.bench.runtime.RuntimeBenchmark --model model.onnx --size 800x1067 \
 *     --warmup 5 --runs 50 --threads 1 --intra-op-threads 2 --device cpu
 * }</pre>
 */
public final class RuntimeBenchmark {

  private RuntimeBenchmark() {}

  /**
   * What to measure.
   *
   * @param model the model file
   * @param image an image file, or {@code null} for a synthetic image of {@code height x width}
   * @param height synthetic image height
   * @param width synthetic image width
   * @param warmup untimed predictions first (at least 0)
   * @param runs timed predictions (at least 1)
   * @param threads concurrent callers sharing the predictor (at least 1)
   * @param pasteMasks whether each prediction also pastes every mask and encodes its RLE
   * @param options predictor options (device, intra-op threads, threshold)
   */
  public record Config(Path model, Path image, int height, int width, int warmup, int runs, int threads,
      boolean pasteMasks, PredictorOptions options) {

    /** Checks every field, naming the bad one. */
    public Config {
      if (model == null) {
        throw new IllegalArgumentException("model must not be null");
      }
      if (image == null && (height < 1 || width < 1)) {
        throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
      }
      if (warmup < 0 || runs < 1 || threads < 1) {
        throw new IllegalArgumentException("need warmup >= 0, runs >= 1, threads >= 1; got warmup=" + warmup
            + ", runs=" + runs + ", threads=" + threads);
      }
      if (options == null) {
        throw new IllegalArgumentException("options must not be null");
      }
    }
  }

  /**
   * Measured numbers.
   *
   * @param provider the execution provider that ran ({@code CPU}, {@code CUDA:0})
   * @param height image height
   * @param width image width
   * @param threads concurrent callers
   * @param runs timed predictions
   * @param p50Ms median latency in milliseconds
   * @param p95Ms 95th percentile latency in milliseconds
   * @param meanMs mean latency in milliseconds
   * @param imagesPerSecond timed predictions per second of wall time
   * @param detections instances found in the last prediction
   */
  public record Result(String provider, int height, int width, int threads, int runs, double p50Ms, double p95Ms,
      double meanMs, double imagesPerSecond, int detections) {

    /** One human-readable line. */
    public String format() {
      return String.format(Locale.ROOT, "onnxruntime %s %dx%d threads=%d runs=%d: p50 %.1f ms, p95 %.1f ms,"
          + " mean %.1f ms, %.2f images/s (%d detections)", provider, height, width, threads, runs, p50Ms, p95Ms,
          meanMs, imagesPerSecond, detections);
    }
  }

  /** Runs the benchmark. */
  public static Result run(Config config) throws Exception {
    RgbImage image = config.image() != null ? ImageFiles.read(config.image())
        : synthetic(config.height(), config.width(), 42);
    float[] chw = image.toChw();
    int h = image.height();
    int w = image.width();
    try (LowlightPredictor predictor = LowlightPredictor.open(config.model(), config.options())) {
      int[] last = new int[1];
      for (int i = 0; i < config.warmup(); i++) {
        last[0] = once(predictor, chw, h, w, config.pasteMasks());
      }
      long[] nanos = new long[config.runs()];
      ExecutorService pool = Executors.newFixedThreadPool(config.threads());
      try {
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < config.threads(); t++) {
          int first = t;
          futures.add(pool.submit(() -> {
            for (int i = first; i < nanos.length; i += config.threads()) {
              long t0 = System.nanoTime();
              int n = once(predictor, chw, h, w, config.pasteMasks());
              nanos[i] = System.nanoTime() - t0;
              last[0] = n;
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        return new Result(predictor.provider(), h, w, config.threads(), config.runs(),
            percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.95) / 1e6, mean, config.runs() / wall, last[0]);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static int once(LowlightPredictor p, float[] chw, int h, int w, boolean paste) {
    Detections d = p.predict(chw, h, w);
    if (paste) {
      for (Instance in : d.instances()) {
        in.rle();
      }
    }
    return d.size();
  }

  /**
   * A seeded image with smooth shapes and noise, so a detector sees edges rather than a flat field;
   * the same seed gives the same image.
   */
  public static RgbImage synthetic(int height, int width, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] px = new float[height * width * 3];
    double cx = width * (0.3 + 0.4 * rnd.nextDouble());
    double cy = height * (0.3 + 0.4 * rnd.nextDouble());
    double r = Math.min(height, width) * 0.25;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        boolean inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
        int i = (y * width + x) * 3;
        for (int c = 0; c < 3; c++) {
          double base = inside ? 0.2 + 0.2 * c : 0.05 + 0.3 * x / (double) width;
          px[i + c] = (float) Math.max(0, Math.min(1, base + 0.05 * rnd.nextGaussian()));
        }
      }
    }
    return new RgbImage(width, height, px);
  }

  /**
   * Command line: {@code --model FILE [--image FILE | --size HxW] [--warmup N] [--runs M]
   * [--threads T] [--intra-op-threads K] [--device cpu|cuda[:N]|auto] [--paste-masks]}.
   */
  public static void main(String[] args) throws Exception {
    Path model = null;
    Path image = null;
    int h = 800;
    int w = 1067;
    int warmup = 5;
    int runs = 20;
    int threads = 1;
    boolean paste = false;
    PredictorOptions.Builder opts = PredictorOptions.builder();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--model" -> model = Path.of(value(args, ++i, a));
        case "--image" -> image = Path.of(value(args, ++i, a));
        case "--size" -> {
          String s = value(args, ++i, a);
          String[] hw = s.toLowerCase(Locale.ROOT).split("x");
          if (hw.length != 2) {
            throw new IllegalArgumentException("--size takes HxW, e.g. 800x1067; got " + s);
          }
          h = Integer.parseInt(hw[0].trim());
          w = Integer.parseInt(hw[1].trim());
        }
        case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
        case "--runs" -> runs = Integer.parseInt(value(args, ++i, a));
        case "--threads" -> threads = Integer.parseInt(value(args, ++i, a));
        case "--intra-op-threads" -> opts.optIntraOpThreads(Integer.parseInt(value(args, ++i, a)));
        case "--device" -> opts.optDevice(value(args, ++i, a));
        case "--score-threshold" -> opts.optScoreThreshold(Float.parseFloat(value(args, ++i, a)));
        case "--paste-masks" -> paste = true;
        default -> throw new IllegalArgumentException("unknown option " + a + "; options: --model --image --size"
            + " --warmup --runs --threads --intra-op-threads --device --score-threshold --paste-masks");
      }
    }
    if (model == null) {
      throw new IllegalArgumentException("--model FILE is required");
    }
    Result r = run(new Config(model, image, h, w, warmup, runs, threads, paste, opts.build()));
    System.out.println(r.format());
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
