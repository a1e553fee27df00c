package dev.lowlight.heads.targets;

import java.util.Arrays;

/**
 * The anchors or proposals of one image chosen for a loss: positive and negative indices into
 * that image's predictions, each sorted ascending (the order torchvision's {@code torch.where} on
 * the sampler's masks gives).
 *
 * @param positives indices of sampled foreground predictions, sorted, no duplicates
 * @param negatives indices of sampled background predictions, sorted, no duplicates
 */
public record Sample(int[] positives, int[] negatives) {

  public Sample {
    positives = sortedCopy("positives", positives);
    negatives = sortedCopy("negatives", negatives);
    int i = 0;
    int j = 0;
    while (i < positives.length && j < negatives.length) {
      if (positives[i] == negatives[j]) {
        throw new IllegalArgumentException("index " + positives[i] + " is sampled both as positive and negative");
      }
      if (positives[i] < negatives[j]) {
        i++;
      } else {
        j++;
      }
    }
  }

  private static int[] sortedCopy(String what, int[] indices) {
    if (indices == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    int[] out = indices.clone();
    Arrays.sort(out);
    for (int k = 0; k < out.length; k++) {
      if (out[k] < 0) {
        throw new IllegalArgumentException(what + " holds a negative index " + out[k]);
      }
      if (k > 0 && out[k] == out[k - 1]) {
        throw new IllegalArgumentException(what + " holds index " + out[k] + " twice");
      }
    }
    return out;
  }

  /** Number of sampled predictions, positives and negatives together. */
  public int size() {
    return positives.length + negatives.length;
  }

  /** Positives and negatives together, sorted ascending (torchvision's RoI sampling order). */
  public int[] all() {
    int[] out = new int[size()];
    System.arraycopy(positives, 0, out, 0, positives.length);
    System.arraycopy(negatives, 0, out, positives.length, negatives.length);
    Arrays.sort(out);
    return out;
  }

  @Override
  public int[] positives() {
    return positives.clone();
  }

  @Override
  public int[] negatives() {
    return negatives.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sample s && Arrays.equals(positives, s.positives) && Arrays.equals(negatives, s.negatives);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(positives) + Arrays.hashCode(negatives);
  }

  @Override
  public String toString() {
    return "Sample[positives=" + Arrays.toString(positives) + ", negatives=" + Arrays.toString(negatives) + "]";
  }
}
