package dev.lowlight.heads.targets;

import dev.lowlight.api.config.RoiHeadsConfig;
import dev.lowlight.api.config.RpnConfig;
import java.util.random.RandomGenerator;

/**
 * torchvision's {@code BalancedPositiveNegativeSampler}: per image, at most {@code
 * int(batchSizePerImage * positiveFraction)} positives (label {@code >= 1}) chosen at random, and
 * negatives (label {@code 0}) to fill the batch, as many as there are; label {@code -1} is never
 * chosen.
 *
 * <p>The choice is uniform without replacement, drawn from the {@link RandomGenerator} passed
 * in. Its random stream is not torch's {@code randperm}: the same seed does not pick the same
 * anchors as torchvision, so parity tests of the sampled losses pass the samples in through
 * {@link Sampling#given}.
 *
 * <pre>{@code
 * var sampler = new BalancedPositiveNegativeSampler(256, 0.5);
 * Sample s = sampler.sample(labels, new SplittableRandom(42));
 * }</pre>
 *
 * @param batchSizePerImage predictions sampled per image (at most)
 * @param positiveFraction largest fraction of positives in the batch
 */
public record BalancedPositiveNegativeSampler(int batchSizePerImage, double positiveFraction) {

  public BalancedPositiveNegativeSampler {
    if (batchSizePerImage < 1) {
      throw new IllegalArgumentException("batchSizePerImage must be >= 1, got " + batchSizePerImage);
    }
    if (!(positiveFraction >= 0 && positiveFraction <= 1)) {
      throw new IllegalArgumentException("positiveFraction must be in [0, 1], got " + positiveFraction);
    }
  }

  /** The RPN's sampler (torchvision: 256 anchors at 0.5). */
  public static BalancedPositiveNegativeSampler rpn(RpnConfig config) {
    return new BalancedPositiveNegativeSampler(config.batchSizePerImage(), config.positiveFraction());
  }

  /** The RoI heads' sampler (torchvision: 512 proposals at 0.25). */
  public static BalancedPositiveNegativeSampler roi(RoiHeadsConfig config) {
    return new BalancedPositiveNegativeSampler(config.batchSizePerImage(), config.positiveFraction());
  }

  /** Most positives a batch takes, {@code int(batch * fraction)} as Python truncates it. */
  public int maxPositives() {
    return (int) (batchSizePerImage * positiveFraction);
  }

  /**
   * Samples one image.
   *
   * @param labels per prediction: {@code >= 1} positive, {@code 0} negative, {@code -1} ignored
   * @param random the source of the choice
   */
  public Sample sample(int[] labels, RandomGenerator random) {
    int pos = 0;
    int neg = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= 1) {
        pos++;
      } else if (labels[i] == 0) {
        neg++;
      } else if (labels[i] != -1) {
        throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is neither >= 0 nor -1 (ignored)");
      }
    }
    int[] positives = new int[pos];
    int[] negatives = new int[neg];
    pos = 0;
    neg = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= 1) {
        positives[pos++] = i;
      } else if (labels[i] == 0) {
        negatives[neg++] = i;
      }
    }
    int numPos = Math.min(positives.length, maxPositives());
    int numNeg = Math.min(negatives.length, batchSizePerImage - numPos);
    return new Sample(choose(positives, numPos, random), choose(negatives, numNeg, random));
  }

  /** The first {@code k} of a uniform random permutation (partial Fisher-Yates), in place. */
  private static int[] choose(int[] candidates, int k, RandomGenerator random) {
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(candidates.length - i);
      int t = candidates[i];
      candidates[i] = candidates[j];
      candidates[j] = t;
    }
    return java.util.Arrays.copyOf(candidates, k);
  }
}
