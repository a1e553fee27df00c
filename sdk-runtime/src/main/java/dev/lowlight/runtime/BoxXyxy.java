package dev.lowlight.runtime;

/**
 * A box in input-image pixels, corners {@code (x1, y1)} top-left and {@code (x2, y2)}
 * bottom-right, as the model outputs it.
 *
 * @param x1 left
 * @param y1 top
 * @param x2 right
 * @param y2 bottom
 */
public record BoxXyxy(float x1, float y1, float x2, float y2) {

  /** {@code x2 - x1}. */
  public float width() {
    return x2 - x1;
  }

  /** {@code y2 - y1}. */
  public float height() {
    return y2 - y1;
  }

  /** {@code {x1, y1, x2, y2}}. */
  public float[] toArray() {
    return new float[] {x1, y1, x2, y2};
  }
}
