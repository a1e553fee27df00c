package dev.lowlight.api.config;

import java.util.List;

/**
 * The image transform in front of the network (torchvision's {@code GeneralizedRCNNTransform}).
 *
 * @param minSize shorter side after resizing, pixels
 * @param maxSize cap on the longer side after resizing, pixels
 * @param imageMean per-channel mean of RGB in {@code [0, 1]}
 * @param imageStd per-channel standard deviation
 * @param sizeDivisible padding multiple of the batched image
 */
public record TransformConfig(int minSize, int maxSize, List<Double> imageMean, List<Double> imageStd,
    int sizeDivisible) {

  public TransformConfig {
    Check.range("min_size", minSize, 1, 10_000);
    Check.range("max_size", maxSize, minSize, 20_000);
    checkTriple("image_mean", imageMean, 0, 1);
    checkTriple("image_std", imageStd, 1e-6, 10);
    Check.range("size_divisible", sizeDivisible, 1, 256);
    imageMean = List.copyOf(imageMean);
    imageStd = List.copyOf(imageStd);
  }

  private static void checkTriple(String key, List<Double> values, double min, double max) {
    Check.required(key, values);
    if (values.size() != 3) {
      throw new Check.InvalidValueException(key, "must have 3 values (R, G, B), got " + values.size());
    }
    for (int i = 0; i < 3; i++) {
      Check.range(key + "[" + i + "]", Check.required(key + "[" + i + "]", values.get(i)), min, max);
    }
  }
}
