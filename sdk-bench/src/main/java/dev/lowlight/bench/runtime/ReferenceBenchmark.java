package dev.lowlight.bench.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.PredictorOptions;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Times a reference graph on ONNX Runtime with the session options {@link LowlightPredictor} uses
 * (all graph optimisations, the same intra-op threads): torchvision's own export of {@code
 * maskrcnn_resnet50_fpn} ({@code tools/fixtures/make_torchvision_onnx.py}), whose input is one
 * float image {@code 3×H×W} in [0, 1] without a batch dimension and whose outputs are boxes,
 * labels, scores and masks {@code N×1×H×W} already pasted into the image. Also measures resident
 * memory growth of a predictor over many predictions.
 *
 * <pre>{@code
 * RuntimeBenchmark.Result ref = ReferenceBenchmark.run(Path.of("tv.onnx"), image, 3, 10, 2);
 * ReferenceBenchmark.Memory m = ReferenceBenchmark.memory(Path.of("model.onnx"), image, 100, 1000, options);
 * }</pre>
 */
public final class ReferenceBenchmark {

  private ReferenceBenchmark() {}

  /**
   * Resident memory of a predictor over many predictions.
   *
   * @param first predictions before the first reading
   * @param second predictions before the second reading
   * @param threads callers predicting at once
   * @param rssFirst resident bytes after {@code first}
   * @param rssSecond resident bytes after {@code second}
   * @param detections detections of the last prediction
   * @param heapFirst committed Java heap at the first reading
   * @param heapSecond committed Java heap at the second reading
   * @param fixedHeap whether the heap was fixed and touched in advance ({@code -Xms} equal to {@code
   *     -Xmx} and {@code -XX:+AlwaysPreTouch}): only then is the resident size minus the committed
   *     heap the memory outside the heap; otherwise heap pages touched late show up as growth
   */
  public record Memory(int first, int second, int threads, long rssFirst, long rssSecond, int detections,
      long heapFirst, long heapSecond, boolean fixedHeap) {

    /** Goal of the growth of resident memory outside the heap, in percent. */
    public static final double GOAL_PERCENT = 2;

    /** Growth from the first reading to the second, in percent. */
    public double growthPercent() {
      return 100.0 * (rssSecond - rssFirst) / rssFirst;
    }

    /** Resident bytes outside the committed heap at the first reading. */
    public long outsideFirst() {
      return rssFirst - heapFirst;
    }

    /** Resident bytes outside the committed heap at the second reading. */
    public long outsideSecond() {
      return rssSecond - heapSecond;
    }

    /**
     * Growth of the resident memory outside the heap, in percent of what it was at the first
     * reading; NaN when the heap was not fixed (the difference would mix heap paging into it).
     */
    public double nativeGrowthPercent() {
      if (!fixedHeap || outsideFirst() <= 0) {
        return Double.NaN;
      }
      return 100.0 * (outsideSecond() - outsideFirst()) / outsideFirst();
    }

    /** One line. */
    public String format() {
      String outside = fixedHeap && outsideFirst() > 0
          ? String.format(java.util.Locale.ROOT, "resident outside the heap %.1f -> %.1f MiB: %+.1f MiB, %+.2f%%"
              + " (goal < %.0f%%: %s)", outsideFirst() / 1048576.0, outsideSecond() / 1048576.0,
              (outsideSecond() - outsideFirst()) / 1048576.0, nativeGrowthPercent(), GOAL_PERCENT,
              nativeGrowthPercent() < GOAL_PERCENT ? "met" : "not met")
          : "resident outside the heap not measured: the heap was not fixed (run with -Xms equal to -Xmx and"
              + " -XX:+AlwaysPreTouch, e.g. LOWLIGHT_JAVA_OPTS=\"-Xms2g -Xmx2g -XX:+AlwaysPreTouch\")";
      return String.format(java.util.Locale.ROOT, "memory, %d threads: resident after %d predictions %.1f MiB, after"
          + " %d %.1f MiB (%+.2f%%); committed Java heap %.1f -> %.1f MiB; %s", threads, first, rssFirst / 1048576.0,
          second, rssSecond / 1048576.0, growthPercent(), heapFirst / 1048576.0, heapSecond / 1048576.0, outside);
    }
  }

  /**
   * Times {@code model} (torchvision's graph) on {@code image}: {@code warmup} untimed runs, then
   * {@code runs} timed ones on one thread.
   */
  public static RuntimeBenchmark.Result run(Path model, RgbImage image, int warmup, int runs, int intraOpThreads)
      throws OrtException {
    if (!Files.isRegularFile(model)) {
      throw new IllegalArgumentException(model + ": no such reference model file");
    }
    if (runs < 1 || warmup < 0) {
      throw new IllegalArgumentException("need runs >= 1 and warmup >= 0, got " + runs + ", " + warmup);
    }
    dev.lowlight.runtime.OnnxModelGuard.check(model);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (SessionOptions so = new SessionOptions()) {
      so.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
      if (intraOpThreads > 0) {
        so.setIntraOpNumThreads(intraOpThreads);
      }
      try (OrtSession session = env.createSession(model.toString(), so)) {
        if (session.getNumInputs() != 1) {
          throw new IllegalArgumentException(model + ": expected torchvision's export with one input (a 3xHxW image),"
              + " found inputs " + session.getInputNames());
        }
        String input = session.getInputNames().iterator().next();
        int h = image.height();
        int w = image.width();
        float[] chw = image.toChw();
        int detections = 0;
        long[] nanos = new long[runs];
        long start = 0;
        for (int i = 0; i < warmup + runs; i++) {
          if (i == warmup) {
            start = System.nanoTime();
          }
          long t0 = System.nanoTime();
          try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(chw), new long[] {3, h, w});
              OrtSession.Result r = session.run(Map.of(input, t))) {
            detections = (int) ((OnnxTensor) r.get(0)).getInfo().getShape()[0];
          }
          if (i >= warmup) {
            nanos[i - warmup] = System.nanoTime() - t0;
          }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new RuntimeBenchmark.Result("CPU (torchvision graph)", h, w, 1, runs,
            RuntimeBenchmark.percentile(sorted, 0.5) / 1e6, RuntimeBenchmark.percentile(sorted, 0.95) / 1e6,
            Arrays.stream(nanos).average().orElse(0) / 1e6, runs / wall, detections);
      }
    }
  }

  /**
   * Resident memory after {@code first} and after {@code second} predictions of {@code image}
   * through one predictor shared by {@code threads} callers (masks pasted and encoded each time,
   * as a caller would).
   */
  public static Memory memory(Path model, RgbImage image, int first, int second, int threads,
      PredictorOptions options) {
    if (first < 1 || second <= first) {
      throw new IllegalArgumentException("--memory takes N1,N2 with 1 <= N1 < N2, got " + first + "," + second);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    float[] chw = image.toChw();
    try (LowlightPredictor p = LowlightPredictor.open(model, options)) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        int[] last = new int[1];
        predictions(pool, threads, first, () -> {
          var d = p.predict(chw, image.height(), image.width());
          d.instances().forEach(in -> in.rle());
          last[0] = d.size();
        });
        long rss1 = residentBytes();
        long heap1 = committedHeap();
        predictions(pool, threads, second - first, () -> {
          var d = p.predict(chw, image.height(), image.width());
          d.instances().forEach(in -> in.rle());
          last[0] = d.size();
        });
        return new Memory(first, second, threads, rss1, residentBytes(), last[0], heap1, committedHeap(),
            fixedHeap());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** Runs {@code count} predictions on {@code threads} workers and waits for all of them. */
  private static void predictions(java.util.concurrent.ExecutorService pool, int threads, int count, Runnable one) {
    java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(count);
    java.util.List<java.util.concurrent.Future<?>> workers = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(pool.submit(() -> {
        while (left.getAndDecrement() > 0) {
          one.run();
        }
      }));
    }
    for (java.util.concurrent.Future<?> w : workers) {
      try {
        w.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("a prediction failed: " + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  /** Whether the heap is fixed and touched at start: initial equals maximum, and -XX:+AlwaysPreTouch. */
  private static boolean fixedHeap() {
    var heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    boolean preTouched = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
        .contains("-XX:+AlwaysPreTouch");
    return preTouched && heap.getInit() == heap.getMax() && heap.getCommitted() == heap.getMax();
  }

  private static long committedHeap() {
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
  }

  /** {@code VmRSS} of {@code /proc/self/status} in bytes, or -1 where it is missing. */
  public static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // informative only: not Linux, or /proc changed
    }
    return -1;
  }
}
