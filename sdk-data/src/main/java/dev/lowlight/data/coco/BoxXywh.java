package dev.lowlight.data.coco;

/**
 * An axis-aligned box in COCO's convention: top-left corner and size, in pixels, with no {@code +1}
 * (a box from x=10 to x=50 has width 40).
 *
 * @param x left edge
 * @param y top edge
 * @param w width
 * @param h height
 */
public record BoxXywh(double x, double y, double w, double h) {

  /** The area {@code w * h}, as pycocotools computes a result's area. */
  public double area() {
    return w * h;
  }

  /** The box as {@code [x, y, w, h]}. */
  public double[] toArray() {
    return new double[] {x, y, w, h};
  }
}
