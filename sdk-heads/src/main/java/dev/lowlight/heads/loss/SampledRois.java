package dev.lowlight.heads.loss;

import dev.lowlight.heads.ops.Boxes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The RoIs of one image chosen for the box and mask losses, with their targets (torchvision's
 * {@code select_training_samples} output), in ascending index order of the proposals with the
 * ground truth appended.
 *
 * @param proposals {@code xyxy} boxes, 4 per RoI
 * @param labels class per RoI: {@code >= 1} foreground, 0 background
 * @param matchedGt index of the matched ground-truth box per RoI (0 for background, as
 *     torchvision's clamp)
 * @param regressionTargets encoded targets ({@code dx, dy, dw, dh}, 4 per RoI) against the matched
 *     ground truth; 0 for every RoI of an image without ground truth
 */
public record SampledRois(float[] proposals, int[] labels, int[] matchedGt, float[] regressionTargets) {

  public SampledRois {
    int n = Boxes.count(proposals);
    if (labels.length != n || matchedGt.length != n || regressionTargets.length != 4 * n) {
      throw new IllegalArgumentException(n + " RoIs need as many labels and matches and " + 4 * n
          + " targets, got " + labels.length + ", " + matchedGt.length + ", " + regressionTargets.length);
    }
  }

  /** Number of RoIs. */
  public int size() {
    return labels.length;
  }

  /** Indices of the foreground RoIs, ascending. */
  public int[] positiveIndices() {
    return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] > 0).toArray();
  }

  /** Boxes of the foreground RoIs, the input of the mask branch. */
  public float[] positiveProposals() {
    return Boxes.select(proposals, positiveIndices());
  }

  /** Matched ground-truth index of each foreground RoI. */
  public int[] positiveMatchedGt() {
    return Boxes.select1(matchedGt, positiveIndices());
  }

  /** Class of each foreground RoI. */
  public int[] positiveLabels() {
    return Boxes.select1(labels, positiveIndices());
  }

  /** Every image's RoI boxes, to pool the box branch's features. */
  public static List<float[]> proposals(List<SampledRois> images) {
    List<float[]> out = new ArrayList<>();
    for (SampledRois s : images) {
      out.add(s.proposals());
    }
    return out;
  }

  /** Every image's foreground RoI boxes, to pool the mask branch's features. */
  public static List<float[]> positiveProposals(List<SampledRois> images) {
    List<float[]> out = new ArrayList<>();
    for (SampledRois s : images) {
      out.add(s.positiveProposals());
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SampledRois s && Arrays.equals(proposals, s.proposals) && Arrays.equals(labels, s.labels)
        && Arrays.equals(matchedGt, s.matchedGt) && Arrays.equals(regressionTargets, s.regressionTargets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(labels) * 31 + Arrays.hashCode(proposals);
  }

  @Override
  public String toString() {
    return "SampledRois[" + size() + " RoIs, " + positiveIndices().length + " positive]";
  }
}
