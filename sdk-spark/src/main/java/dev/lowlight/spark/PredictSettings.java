package dev.lowlight.spark;

import dev.lowlight.runtime.PredictorOptions;
import java.io.Serializable;

/**
 * The predictor settings a job ships to its executors ({@link PredictorOptions} in serializable
 * form).
 *
 * @param device {@code cpu}, {@code cuda[:N]} or {@code auto}
 * @param intraOpThreads ONNX Runtime's threads per prediction; 0 lets it choose (every core)
 * @param scoreThreshold detections scoring below this are dropped
 * @param maxDetections at most this many detections per image
 */
public record PredictSettings(String device, int intraOpThreads, float scoreThreshold, int maxDetections)
    implements Serializable {

  /** Checks every field with the options' own checks, so a bad value fails on the driver. */
  public PredictSettings {
    options(device, intraOpThreads, scoreThreshold, maxDetections);
  }

  /** {@code lowlight predict}'s defaults (CPU, threshold 0.05, 100 detections) with {@code threads} per prediction. */
  public static PredictSettings defaults(int threads) {
    return new PredictSettings("cpu", threads, PredictorOptions.DEFAULT_SCORE_THRESHOLD,
        PredictorOptions.DEFAULT_MAX_DETECTIONS);
  }

  /** The predictor options. */
  public PredictorOptions toOptions() {
    return options(device, intraOpThreads, scoreThreshold, maxDetections);
  }

  private static PredictorOptions options(String device, int threads, float threshold, int max) {
    return PredictorOptions.builder().optDevice(device).optIntraOpThreads(threads).optScoreThreshold(threshold)
        .optMaxDetections(max).build();
  }
}
