package dev.lowlight.zoo;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * What a zoo model is and how it was made ({@code manifest.json} next to its weights).
 *
 * @param name the model's name ({@code lowlight train --init zoo:NAME})
 * @param description one line
 * @param weights the shipped weights file
 * @param scenes the procedural scenes it was trained on (so a fine-tuning run can draw more alike)
 * @param training how the weights were trained
 * @param evaluation COCO numbers on validation splits (split name to {@code bbox}/{@code segm} stats)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"name", "description", "weights", "scenes", "training", "evaluation"})
public record Manifest(String name, String description, Weights weights, Scenes scenes, Training training,
    Map<String, Map<String, Map<String, Double>>> evaluation) {

  /**
   * The procedural scenes of the training and validation splits ({@code lowlight scenes} options).
   *
   * @param width image width
   * @param height image height
   * @param minObjects fewest objects per image
   * @param maxObjects most objects per image
   * @param minSize smallest object size in pixels
   * @param maxSize largest object size in pixels
   * @param trainCount training scenes
   * @param trainSeed their seed
   * @param valCount validation scenes
   * @param valSeed their seed
   */
  @JsonPropertyOrder({"width", "height", "min_objects", "max_objects", "min_size", "max_size", "train_count",
      "train_seed", "val_count", "val_seed"})
  public record Scenes(int width, int height, @JsonProperty("min_objects") int minObjects,
      @JsonProperty("max_objects") int maxObjects, @JsonProperty("min_size") int minSize,
      @JsonProperty("max_size") int maxSize, @JsonProperty("train_count") int trainCount,
      @JsonProperty("train_seed") long trainSeed, @JsonProperty("val_count") int valCount,
      @JsonProperty("val_seed") long valSeed) {

    /** A generator of scenes like these. */
    public dev.lowlight.data.scenes.SceneGenerator generator() {
      return dev.lowlight.data.scenes.SceneGenerator.builder().optWidth(width).optHeight(height)
          .optMinObjects(minObjects).optMaxObjects(maxObjects).optMinObjectSize(minSize).optMaxObjectSize(maxSize)
          .build();
    }
  }

  /**
   * The weights file.
   *
   * @param file its name in the model directory
   * @param dtype the element type it stores (half precision keeps the jar small)
   * @param sha256 the SHA-256 of the file, hex
   * @param bytes its size
   * @param parameters number of values
   */
  @JsonPropertyOrder({"file", "dtype", "sha256", "bytes", "parameters"})
  public record Weights(String file, String dtype, String sha256, long bytes, long parameters) {}

  /**
   * How the model was trained.
   *
   * @param commands the commands, in order, that produce the shipped files from nothing
   * @param seed the training seed
   * @param iterations training iterations
   * @param seconds training wall time
   * @param cpu the processor it ran on ({@code /proc/cpuinfo}'s model name)
   * @param threads PyTorch intra-op threads
   * @param sdkVersion the SDK version that trained it
   * @param runSha256 SHA-256 of the float32 weights of the training run, before conversion
   */
  @JsonPropertyOrder({"commands", "seed", "iterations", "seconds", "cpu", "threads", "sdk_version", "run_sha256"})
  public record Training(List<String> commands, long seed, int iterations, double seconds, String cpu, int threads,
      @JsonProperty("sdk_version") String sdkVersion, @JsonProperty("run_sha256") String runSha256) {}
}
