package dev.lowlight.runtime;

/**
 * Settings of a {@link LowlightPredictor}. All are optional; the defaults are the CPU, ONNX
 * Runtime's own choice of threads, score threshold 0.05 (torchvision's {@code box_score_thresh})
 * and at most 100 detections (its {@code box_detections_per_img}).
 *
 * <pre>{@code
 * PredictorOptions opts = PredictorOptions.builder()
 *     .optDevice("auto").optIntraOpThreads(2).optScoreThreshold(0.5f).optMaxDetections(50).build();
 * }</pre>
 *
 * @param device where the model runs
 * @param intraOpThreads ONNX Runtime's intra-op threads; 0 lets it choose
 * @param scoreThreshold detections scoring below this are dropped, in {@code [0, 1]}
 * @param maxDetections at most this many detections are kept (highest scores first), at least 1
 */
public record PredictorOptions(Device device, int intraOpThreads, float scoreThreshold, int maxDetections) {

  /** Default score threshold, torchvision's {@code box_score_thresh}. */
  public static final float DEFAULT_SCORE_THRESHOLD = 0.05f;

  /** Default detection cap, torchvision's {@code box_detections_per_img}. */
  public static final int DEFAULT_MAX_DETECTIONS = 100;

  /** Checks every field, naming the bad one. */
  public PredictorOptions {
    if (device == null) {
      throw new IllegalArgumentException("device must not be null");
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = ONNX Runtime's choice), got "
          + intraOpThreads);
    }
    if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) {
      throw new IllegalArgumentException("scoreThreshold must be in [0, 1], got " + scoreThreshold);
    }
    if (maxDetections < 1) {
      throw new IllegalArgumentException("maxDetections must be >= 1, got " + maxDetections);
    }
  }

  /** The defaults: CPU, ONNX Runtime's threads, threshold 0.05, 100 detections. */
  public static PredictorOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder().optDevice(device).optIntraOpThreads(intraOpThreads)
        .optScoreThreshold(scoreThreshold).optMaxDetections(maxDetections);
  }

  /** Builds {@link PredictorOptions}; every setting is optional. */
  public static final class Builder {
    private Device device = Device.CPU;
    private int intraOpThreads;
    private float scoreThreshold = DEFAULT_SCORE_THRESHOLD;
    private int maxDetections = DEFAULT_MAX_DETECTIONS;

    Builder() {}

    /** The device. */
    public Builder optDevice(Device device) {
      this.device = device;
      return this;
    }

    /** The device as text: {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}. */
    public Builder optDevice(String device) {
      this.device = Device.parse(device);
      return this;
    }

    /** ONNX Runtime's intra-op threads; 0 lets it choose. */
    public Builder optIntraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /** The minimum score kept. */
    public Builder optScoreThreshold(float threshold) {
      this.scoreThreshold = threshold;
      return this;
    }

    /** The maximum number of detections kept. */
    public Builder optMaxDetections(int max) {
      this.maxDetections = max;
      return this;
    }

    /** The options; throws naming the bad field. */
    public PredictorOptions build() {
      return new PredictorOptions(device, intraOpThreads, scoreThreshold, maxDetections);
    }
  }
}
