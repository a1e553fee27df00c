package dev.lowlight.api.structures;

/**
 * Detected or annotated object instances of one image, engine-free, as flat arrays.
 *
 * <p>Boxes are {@code xyxy} in input-image pixels (x1, y1, x2, y2 with x2 &gt; x1 meaning a
 * non-empty box). Masks, when present, are {@code maskSize×maskSize} per instance: either
 * probabilities in box coordinates (the 28x28 output of a mask head) or, when {@code maskSize} is
 * 0 and {@code fullMasks} is set, full-image binary masks.
 *
 * @param boxes {@code 4·N} values, xyxy
 * @param labels {@code N} class indices (0 is background, never emitted for detections)
 * @param scores {@code N} scores in {@code [0, 1]}; 1 for ground truth
 * @param masks {@code N·maskSize²} mask probabilities in box coordinates, or empty
 * @param maskSize side of each box-relative mask, or 0 when there are none
 */
public record Instances(float[] boxes, long[] labels, float[] scores, float[] masks, int maskSize) {

  public Instances {
    int n = labels.length;
    if (boxes.length != 4 * n) {
      throw new IllegalArgumentException("expected " + 4 * n + " box values for " + n + " instances, got " + boxes.length);
    }
    if (scores.length != n) {
      throw new IllegalArgumentException("expected " + n + " scores, got " + scores.length);
    }
    if (maskSize < 0 || masks.length != n * maskSize * maskSize) {
      throw new IllegalArgumentException("expected " + n + " masks of " + maskSize + "x" + maskSize
          + " = " + n * maskSize * maskSize + " values, got " + masks.length);
    }
  }

  /** No instances. */
  public static Instances empty(int maskSize) {
    return new Instances(new float[0], new long[0], new float[0], new float[0], maskSize);
  }

  /** Number of instances. */
  public int size() {
    return labels.length;
  }
}
