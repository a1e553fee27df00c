package dev.lowlight.heads.ops;

/**
 * Boxes with scores and labels of one image, by descending score.
 *
 * @param boxes flat {@code xyxy} boxes in image pixels
 * @param scores one score per box
 * @param labels one class index per box (1..K-1; for proposals, the feature level)
 */
public record Detections(float[] boxes, float[] scores, int[] labels) {

  public Detections {
    int n = Boxes.count(boxes);
    if (scores.length != n || labels.length != n) {
      throw new IllegalArgumentException("detections need one score and label per box: " + n + " boxes, "
          + scores.length + " scores, " + labels.length + " labels");
    }
  }

  /** Number of detections. */
  public int size() {
    return scores.length;
  }
}
