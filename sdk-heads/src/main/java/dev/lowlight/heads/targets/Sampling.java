package dev.lowlight.heads.targets;

import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * How the losses choose their samples: at random with the {@link
 * BalancedPositiveNegativeSampler} ({@link #seeded}, {@link #random}), or exactly the given
 * indices ({@link #given}), which is how the parity tests replay torchvision's own draws.
 *
 * <p>A seeded strategy advances its stream with every image it samples, so the RPN and the RoI
 * heads should each get their own. For a run that resumes exactly, make them per iteration from
 * the run's seed, e.g. {@code Sampling.seeded(seed * 1_000_003L + iteration)}: a generator's
 * state then never has to be saved.
 *
 * <pre>{@code
 * RpnLosses rpn = rpnLoss.compute(obj, deltas, anchors, gt, Sampling.seeded(7));
 * RpnLosses fixed = rpnLoss.compute(obj, deltas, anchors, gt, Sampling.given(List.of(sample0, sample1)));
 * }</pre>
 */
@FunctionalInterface
public interface Sampling {

  /**
   * The sample of one image.
   *
   * @param image index of the image in the batch
   * @param labels per prediction: {@code >= 1} positive, {@code 0} negative, {@code -1} ignored
   * @param sampler the batch size and positive fraction to honour
   */
  Sample sample(int image, int[] labels, BalancedPositiveNegativeSampler sampler);

  /** Random samples from a {@link SplittableRandom} seeded with {@code seed}. */
  static Sampling seeded(long seed) {
    return random(new SplittableRandom(seed));
  }

  /** Random samples drawn from {@code random}. */
  static Sampling random(RandomGenerator random) {
    return (image, labels, sampler) -> sampler.sample(labels, random);
  }

  /**
   * Exactly these samples, one per image of the batch; the sampler's sizes are not applied. Each
   * positive must carry a label {@code >= 1} and each negative label {@code 0}, else the call
   * fails naming the image and index.
   */
  static Sampling given(List<Sample> perImage) {
    List<Sample> copy = List.copyOf(perImage);
    return (image, labels, sampler) -> {
      if (image < 0 || image >= copy.size()) {
        throw new IllegalArgumentException("given sampling holds " + copy.size() + " images, asked for image " + image);
      }
      Sample s = copy.get(image);
      for (int i : s.positives()) {
        if (i >= labels.length || labels[i] < 1) {
          throw new IllegalArgumentException("image " + image + ": given positive " + i + " is "
              + (i >= labels.length ? "out of range (" + labels.length + " predictions)" : "labelled " + labels[i]));
        }
      }
      for (int i : s.negatives()) {
        if (i >= labels.length || labels[i] != 0) {
          throw new IllegalArgumentException("image " + image + ": given negative " + i + " is "
              + (i >= labels.length ? "out of range (" + labels.length + " predictions)" : "labelled " + labels[i]));
        }
      }
      return s;
    };
  }
}
