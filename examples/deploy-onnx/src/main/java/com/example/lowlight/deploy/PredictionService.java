package com.example.lowlight.deploy;

import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.PredictorOptions;
import dev.lowlight.runtime.output.CocoResults;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A prediction service: one {@link LowlightPredictor} (one ONNX Runtime session, which is
 * thread-safe) shared by a fixed pool of worker threads. Requests are images on disk; answers are
 * COCO result records.
 *
 * <pre>{@code
 * try (PredictionService service = new PredictionService(Path.of("model.onnx"), 4, PredictorOptions.defaults(), null)) {
 *   List<CocoResult> results = service.predict(List.of(new PredictionService.Request(1, Path.of("night.png"))));
 *   CocoResults.write(results, Path.of("results.json"));
 * }
 * }</pre>
 */
public final class PredictionService implements AutoCloseable {

  /**
   * One image to predict on.
   *
   * @param imageId the COCO image id the results carry
   * @param file the image file (PNG, JPEG, ...)
   */
  public record Request(long imageId, Path file) {}

  private final LowlightPredictor predictor;
  private final ExecutorService pool;
  private final Map<Integer, Long> categoryOfLabel;
  private final int threads;

  /**
   * Opens the model and starts the workers.
   *
   * @param model the exported {@code model.onnx}
   * @param threads worker threads sharing the session
   * @param options device, score threshold, ONNX Runtime threads per call
   * @param categoryOfLabel model label to COCO category id; {@code null} writes the labels as
   *     category ids
   * @throws dev.lowlight.runtime.ModelLoadException naming the file when it is missing, corrupt or
   *     not a lowlight model
   */
  public PredictionService(Path model, int threads, PredictorOptions options, Map<Integer, Long> categoryOfLabel) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.predictor = LowlightPredictor.open(model, options);
    this.threads = threads;
    this.categoryOfLabel = categoryOfLabel == null ? null : Map.copyOf(categoryOfLabel);
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "predict-" + model.getFileName());
      t.setDaemon(true);
      return t;
    });
  }

  /** The predictor, for what the model declares ({@link LowlightPredictor#info()}). */
  public LowlightPredictor predictor() {
    return predictor;
  }

  /** Worker threads. */
  public int threads() {
    return threads;
  }

  /**
   * Predicts on every request, spread over the workers; the results come in request order (and,
   * within an image, by decreasing score), so they do not depend on the number of threads.
   *
   * @throws IllegalStateException naming the image when one fails (unreadable file, ...)
   */
  public List<CocoResult> predict(List<Request> requests) {
    List<Future<List<CocoResult>>> futures = new ArrayList<>(requests.size());
    for (Request r : requests) {
      futures.add(pool.submit(() -> CocoResults.from(r.imageId(), predictor.predict(r.file()), categoryOfLabel)));
    }
    List<CocoResult> out = new ArrayList<>();
    for (int i = 0; i < futures.size(); i++) {
      try {
        out.addAll(futures.get(i).get());
      } catch (ExecutionException e) {
        futures.forEach(f -> f.cancel(true));
        throw new IllegalStateException("prediction on " + requests.get(i).file() + " failed: "
            + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        futures.forEach(f -> f.cancel(true));
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while predicting", e);
      }
    }
    return out;
  }

  /** Stops the workers (letting calls in flight finish) and closes the session. */
  @Override
  public void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
    predictor.close();
  }
}
