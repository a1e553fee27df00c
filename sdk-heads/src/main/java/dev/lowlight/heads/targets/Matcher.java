package dev.lowlight.heads.targets;

import dev.lowlight.api.config.RoiHeadsConfig;
import dev.lowlight.api.config.RpnConfig;
import dev.lowlight.heads.ops.Boxes;

/**
 * torchvision's {@code det_utils.Matcher}: assigns to each prediction (anchor or proposal) the
 * ground-truth box of highest quality (IoU), or a negative code when that quality is too low.
 *
 * <p>For prediction {@code j}, with {@code q = max_i quality[i][j]} at the first maximal {@code
 * i}: {@code q >= high} gives {@code i}; {@code low <= q < high} gives {@link
 * #BETWEEN_THRESHOLDS}; {@code q < low} gives {@link #BELOW_LOW_THRESHOLD}. With {@code
 * allowLowQualityMatches}, every prediction that ties for the highest quality of some ground
 * truth (ties included, even when that quality is 0) is then set back to its best ground truth
 * {@code i} — so every ground truth gets at least one prediction, as the RPN needs for small
 * objects. Thresholds are float32 and the comparisons are done in float32, as torch compares a
 * float tensor with a Python scalar, so borderline IoUs fall the same way.
 *
 * <pre>{@code
 * Matcher rpn = new Matcher(0.7f, 0.3f, true);
 * int[] matches = rpn.matchBoxes(gtBoxes, anchors);   // one entry per anchor: gt index, -1 or -2
 * }</pre>
 *
 * @param highThreshold quality at or above which a prediction is matched
 * @param lowThreshold quality below which a prediction is background
 * @param allowLowQualityMatches keep each ground truth's best predictions even below {@code high}
 */
public record Matcher(float highThreshold, float lowThreshold, boolean allowLowQualityMatches) {

  /** Match code of a prediction whose best quality is below the low threshold (background). */
  public static final int BELOW_LOW_THRESHOLD = -1;
  /** Match code of a prediction whose best quality is between the thresholds (ignored). */
  public static final int BETWEEN_THRESHOLDS = -2;

  public Matcher {
    if (!(lowThreshold >= 0 && lowThreshold <= highThreshold && highThreshold <= 1)) {
      throw new IllegalArgumentException("matcher thresholds need 0 <= low <= high <= 1, got low " + lowThreshold
          + ", high " + highThreshold);
    }
  }

  /** The RPN's matcher: {@code fg_iou_thresh}, {@code bg_iou_thresh}, low-quality matches kept. */
  public static Matcher rpn(RpnConfig config) {
    return new Matcher((float) config.fgIouThresh(), (float) config.bgIouThresh(), true);
  }

  /** The RoI heads' matcher: {@code fg_iou_thresh}, {@code bg_iou_thresh}, no low-quality matches. */
  public static Matcher roi(RoiHeadsConfig config) {
    return new Matcher((float) config.fgIouThresh(), (float) config.bgIouThresh(), false);
  }

  /**
   * Matches on the IoU of flat {@code xyxy} arrays.
   *
   * @return one entry per prediction: a ground-truth index, {@link #BELOW_LOW_THRESHOLD} or
   *     {@link #BETWEEN_THRESHOLDS}
   * @throws IllegalArgumentException when there is no ground truth or no prediction, as
   *     torchvision (callers treat an image without ground truth as all background)
   */
  public int[] matchBoxes(float[] gtBoxes, float[] predictions) {
    return match(Boxes.iou(gtBoxes, predictions), Boxes.count(gtBoxes), Boxes.count(predictions));
  }

  /**
   * Matches on a quality matrix.
   *
   * @param quality {@code [numGt × numPredictions]} row-major, e.g. {@link Boxes#iou(float[], float[])}
   * @return one entry per prediction: a ground-truth index, {@link #BELOW_LOW_THRESHOLD} or
   *     {@link #BETWEEN_THRESHOLDS}
   */
  public int[] match(float[] quality, int numGt, int numPredictions) {
    if (numGt < 0 || numPredictions < 0 || quality.length != (long) numGt * numPredictions) {
      throw new IllegalArgumentException("quality matrix of length " + quality.length + " is not " + numGt + " x "
          + numPredictions);
    }
    if (numGt == 0) {
      throw new IllegalArgumentException("no ground-truth boxes to match " + numPredictions
          + " predictions against; treat the image as background instead");
    }
    if (numPredictions == 0) {
      throw new IllegalArgumentException("no predictions to match " + numGt + " ground-truth boxes against");
    }
    int[] best = new int[numPredictions];
    int[] matches = new int[numPredictions];
    for (int j = 0; j < numPredictions; j++) {
      int arg = 0;
      float max = quality[j];
      for (int i = 1; i < numGt; i++) {
        // strict: the first maximal ground truth wins a tie, as torch's max(dim=0) on CPU
        if (quality[i * numPredictions + j] > max) {
          max = quality[i * numPredictions + j];
          arg = i;
        }
      }
      best[j] = arg;
      matches[j] = max < lowThreshold ? BELOW_LOW_THRESHOLD : max < highThreshold ? BETWEEN_THRESHOLDS : arg;
    }
    if (allowLowQualityMatches) {
      for (int i = 0; i < numGt; i++) {
        int row = i * numPredictions;
        float highest = quality[row];
        for (int j = 1; j < numPredictions; j++) {
          highest = Math.max(highest, quality[row + j]);
        }
        for (int j = 0; j < numPredictions; j++) {
          if (quality[row + j] == highest) {
            // torchvision restores the prediction's own best gt, not necessarily i
            matches[j] = best[j];
          }
        }
      }
    }
    return matches;
  }
}
