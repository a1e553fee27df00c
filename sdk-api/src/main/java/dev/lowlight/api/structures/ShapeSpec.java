package dev.lowlight.api.structures;

/**
 * The declared shape of one feature map: its channels and its stride relative to the input image
 * (the role of Detectron2's {@code ShapeSpec}). Downstream blocks are built from these
 * declarations, never from a guess.
 *
 * @param channels number of channels, at least 1
 * @param stride input pixels per feature-map pixel, at least 1
 */
public record ShapeSpec(int channels, int stride) {

  public ShapeSpec {
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be >= 1, got " + channels);
    }
    if (stride < 1) {
      throw new IllegalArgumentException("stride must be >= 1, got " + stride);
    }
  }
}
