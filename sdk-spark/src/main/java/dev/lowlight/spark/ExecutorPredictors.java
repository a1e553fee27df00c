package dev.lowlight.spark;

import dev.lowlight.runtime.LowlightPredictor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.broadcast.Broadcast;

/**
 * One {@link LowlightPredictor} per model and executor JVM, shared by all the task threads of that
 * executor (an ONNX Runtime session serves concurrent calls). The model travels once per executor
 * as a broadcast of its bytes; the first task to need it opens the session, the others wait for
 * it and reuse it.
 */
final class ExecutorPredictors {

  private static final Map<String, LowlightPredictor> OPEN = new ConcurrentHashMap<>();

  private ExecutorPredictors() {}

  /**
   * The predictor of {@code model} in this JVM, opened on first use.
   *
   * @param job what tells this job's models apart from another's ({@code applicationId/broadcastId}),
   *     since broadcast ids restart with every Spark context
   */
  static LowlightPredictor get(String job, Broadcast<byte[]> model, String name, PredictSettings settings) {
    return OPEN.computeIfAbsent(key(job, settings),
        k -> LowlightPredictor.open(model.value(), name, settings.toOptions()));
  }

  /**
   * Closes the predictor of a finished job in this JVM. Called on the driver, it frees the one
   * local tasks used (the driver is their executor); on a cluster the executors' predictors end
   * with the executors.
   */
  static void release(String job, PredictSettings settings) {
    LowlightPredictor p = OPEN.remove(key(job, settings));
    if (p != null) {
      p.close();
    }
  }

  private static String key(String job, PredictSettings settings) {
    return job + "/" + settings;
  }
}
