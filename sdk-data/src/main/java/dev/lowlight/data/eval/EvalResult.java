package dev.lowlight.data.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What COCO evaluation of one IoU type gives.
 *
 * @param iouType boxes or masks
 * @param stats the 12 summary numbers
 * @param perCategoryAp AP at IoU .50:.95, all areas, 100 detections, per category id in ascending
 *     id order; -1 for a category without ground truth
 */
public record EvalResult(IouType iouType, EvalStats stats, Map<Long, Double> perCategoryAp) {

  /** Copies the map, keeping its order. */
  public EvalResult {
    perCategoryAp = Collections.unmodifiableMap(new LinkedHashMap<>(perCategoryAp));
  }

  /**
   * The 12 lines pycocotools' {@code summarize()} prints, character for character, e.g.
   * {@code  Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.504}.
   *
   * @return the lines, each ending with a newline
   */
  public String summaryText() {
    double[] s = stats.toArray();
    StringBuilder sb = new StringBuilder();
    line(sb, true, null, "all", 100, s[0]);
    line(sb, true, "0.50", "all", 100, s[1]);
    line(sb, true, "0.75", "all", 100, s[2]);
    line(sb, true, null, "small", 100, s[3]);
    line(sb, true, null, "medium", 100, s[4]);
    line(sb, true, null, "large", 100, s[5]);
    line(sb, false, null, "all", 1, s[6]);
    line(sb, false, null, "all", 10, s[7]);
    line(sb, false, null, "all", 100, s[8]);
    line(sb, false, null, "small", 100, s[9]);
    line(sb, false, null, "medium", 100, s[10]);
    line(sb, false, null, "large", 100, s[11]);
    return sb.toString();
  }

  private static void line(StringBuilder sb, boolean ap, String iou, String area, int maxDets,
      double v) {
    // Python: ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'
    String title = ap ? "Average Precision" : "Average Recall";
    sb.append(' ').append(String.format("%-18s", title)).append(' ')
        .append(ap ? "(AP)" : "(AR)")
        .append(" @[ IoU=").append(String.format("%-9s", iou == null ? "0.50:0.95" : iou))
        .append(" | area=").append(String.format("%6s", area))
        .append(" | maxDets=").append(String.format("%3d", maxDets))
        .append(" ] = ").append(format3(v)).append('\n');
  }

  /**
   * Python's {@code '{:0.3f}'}: the exact binary value rounded half-even, which Java's {@code %.3f}
   * (half-up on the shortest decimal) does not always match.
   */
  static String format3(double v) {
    return new BigDecimal(v).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
  }
}
