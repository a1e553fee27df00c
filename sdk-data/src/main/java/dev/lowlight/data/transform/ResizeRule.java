package dev.lowlight.data.transform;

/**
 * torchvision's detection resize rule: scale so that the shorter side becomes {@code minSize},
 * unless the longer side would exceed {@code maxSize}, in which case the longer side becomes
 * {@code maxSize}. Output sides are {@code floor(side * scale)}, computed in double precision as
 * PyTorch's {@code interpolate(scale_factor=..., recompute_scale_factor=True)} does.
 *
 * @param minSize target of the shorter side
 * @param maxSize cap of the longer side
 */
public record ResizeRule(int minSize, int maxSize) {

  public ResizeRule {
    if (minSize < 1 || maxSize < minSize) {
      throw new IllegalArgumentException("need 1 <= min_size <= max_size, got min_size=" + minSize + ", max_size=" + maxSize);
    }
  }

  /** The scale applied to an image of {@code height × width}. */
  public double scale(int height, int width) {
    float shorter = Math.min(height, width);
    float longer = Math.max(height, width);
    return Math.min((1f / shorter) * minSize, (1f / longer) * maxSize);
  }

  /** The resized {@code {height, width}}; never below 1 pixel. */
  public int[] resizedSize(int height, int width) {
    double s = scale(height, width);
    return new int[] {Math.max(1, (int) Math.floor(height * s)), Math.max(1, (int) Math.floor(width * s))};
  }
}
