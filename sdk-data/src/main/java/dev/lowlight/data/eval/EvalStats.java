package dev.lowlight.data.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The 12 numbers of pycocotools' {@code COCOeval.summarize()}, in its order; -1 where there is
 * nothing to average (no ground truth in that area range, for instance).
 *
 * @param ap AP at IoU .50:.95, all areas, 100 detections
 * @param ap50 AP at IoU .50
 * @param ap75 AP at IoU .75
 * @param apSmall AP for areas below 32²
 * @param apMedium AP for areas from 32² to 96²
 * @param apLarge AP for areas above 96²
 * @param ar1 AR with 1 detection per image
 * @param ar10 AR with 10 detections per image
 * @param ar100 AR with 100 detections per image
 * @param arSmall AR for small areas
 * @param arMedium AR for medium areas
 * @param arLarge AR for large areas
 */
public record EvalStats(double ap, double ap50, double ap75, double apSmall, double apMedium,
    double apLarge, double ar1, double ar10, double ar100, double arSmall, double arMedium,
    double arLarge) {

  /** The keys of {@link #asMap()}, in pycocotools' order. */
  public static final List<String> KEYS = List.of(
      "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

  /**
   * Builds the record from pycocotools' {@code stats} array.
   *
   * @param s 12 values
   * @return the record
   */
  public static EvalStats of(double[] s) {
    if (s.length != 12) {
      throw new IllegalArgumentException("COCO stats have 12 values, got " + s.length);
    }
    return new EvalStats(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10],
        s[11]);
  }

  /** The values in pycocotools' {@code stats} order. */
  public double[] toArray() {
    return new double[] {ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall,
        arMedium, arLarge};
  }

  /** The values under the keys {@code AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs,
   * ARm, ARl}, in that order. */
  public Map<String, Double> asMap() {
    double[] v = toArray();
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < v.length; i++) {
      m.put(KEYS.get(i), v[i]);
    }
    return m;
  }
}
