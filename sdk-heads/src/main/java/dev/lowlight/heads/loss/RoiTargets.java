package dev.lowlight.heads.loss;

import dev.lowlight.api.config.RoiHeadsConfig;
import dev.lowlight.heads.ops.BoxCoder;
import dev.lowlight.heads.ops.Boxes;
import dev.lowlight.heads.targets.BalancedPositiveNegativeSampler;
import dev.lowlight.heads.targets.Matcher;
import dev.lowlight.heads.targets.Sample;
import dev.lowlight.heads.targets.Sampling;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision 0.14's {@code RoIHeads.select_training_samples}: per image, the ground-truth boxes
 * are appended to the proposals; each is matched at IoU 0.5 (no low-quality matches) and labelled
 * with its ground truth's class, or 0 below the low threshold, or ignored between the thresholds;
 * {@code 512} are sampled at most a quarter positive and kept in ascending index order; the
 * regression targets are encoded against the matched ground truth with weights (10, 10, 5, 5).
 *
 * <p>An image without ground truth gives only background RoIs, with zero regression targets
 * (torchvision encodes them against a zero box, which gives {@code -inf}; they are never used).
 *
 * <pre>{@code
 * RoiTargets targets = RoiTargets.fromConfig(config.roiHeads());
 * List<SampledRois> rois = targets.sample(proposalsPerImage, gtBoxes, gtLabels, Sampling.seeded(8));
 * }</pre>
 *
 * @param matcher proposal to ground-truth matching
 * @param sampler RoIs per image and their positive fraction
 * @param coder regression target encoding
 */
public record RoiTargets(Matcher matcher, BalancedPositiveNegativeSampler sampler, BoxCoder coder) {

  public RoiTargets {
    if (matcher == null || sampler == null || coder == null) {
      throw new IllegalArgumentException("RoiTargets needs a matcher, a sampler and a box coder");
    }
  }

  /** torchvision's defaults: 0.5 / 0.5, 512 at 0.25, weights (10, 10, 5, 5). */
  public static RoiTargets defaults() {
    return new RoiTargets(new Matcher(0.5f, 0.5f, false), new BalancedPositiveNegativeSampler(512, 0.25),
        BoxCoder.ROI);
  }

  /** The targets with the thresholds, sampling and box weights of {@code config}. */
  public static RoiTargets fromConfig(RoiHeadsConfig config) {
    List<Double> w = config.bboxRegWeights();
    return new RoiTargets(Matcher.roi(config), BalancedPositiveNegativeSampler.roi(config),
        BoxCoder.of(w.get(0), w.get(1), w.get(2), w.get(3)));
  }

  /**
   * Labels of one image's proposals (ground truth already appended).
   *
   * @param labels per proposal: the matched class, 0 background, -1 ignored
   * @param matchedGt per proposal: matched ground-truth index, 0 where unmatched
   */
  public record Assignment(int[] labels, int[] matchedGt) {}

  /** torchvision's {@code assign_targets_to_proposals} for one image. */
  public Assignment assign(float[] proposals, float[] gtBoxes, int[] gtLabels) {
    int n = Boxes.count(proposals);
    int g = Boxes.count(gtBoxes);
    int[] labels = new int[n];
    int[] matched = new int[n];
    if (g == 0 || n == 0) {
      return new Assignment(labels, matched);
    }
    int[] m = matcher.matchBoxes(gtBoxes, proposals);
    for (int i = 0; i < n; i++) {
      matched[i] = Math.max(m[i], 0);
      labels[i] = m[i] == Matcher.BELOW_LOW_THRESHOLD ? 0 : m[i] == Matcher.BETWEEN_THRESHOLDS ? -1
          : gtLabels[m[i]];
    }
    return new Assignment(labels, matched);
  }

  /**
   * Samples the RoIs of a batch.
   *
   * @param proposalsPerImage per image, flat {@code xyxy} proposals (e.g. the RPN's)
   * @param gtBoxesPerImage per image, flat {@code xyxy} ground truth (may be empty)
   * @param gtLabelsPerImage per image, the class ({@code >= 1}) of each ground-truth box
   * @param sampling how each image's RoIs are sampled; indices refer to the proposals with the
   *     ground truth appended
   */
  public List<SampledRois> sample(List<float[]> proposalsPerImage, List<float[]> gtBoxesPerImage,
      List<int[]> gtLabelsPerImage, Sampling sampling) {
    int n = proposalsPerImage.size();
    if (gtBoxesPerImage.size() != n || gtLabelsPerImage.size() != n) {
      throw new IllegalArgumentException("proposals for " + n + " images, ground-truth boxes for "
          + gtBoxesPerImage.size() + " and labels for " + gtLabelsPerImage.size());
    }
    List<SampledRois> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(sampleImage(i, proposalsPerImage.get(i), gtBoxesPerImage.get(i), gtLabelsPerImage.get(i), sampling));
    }
    return out;
  }

  /** {@link #sample} for image {@code image} of a batch. */
  public SampledRois sampleImage(int image, float[] proposals, float[] gtBoxes, int[] gtLabels, Sampling sampling) {
    Boxes.count(proposals);
    int g = Boxes.count(gtBoxes);
    if (gtLabels.length != g) {
      throw new IllegalArgumentException("image " + image + ": " + g + " ground-truth boxes but " + gtLabels.length
          + " labels");
    }
    for (int k = 0; k < g; k++) {
      if (gtLabels[k] < 1) {
        throw new IllegalArgumentException("image " + image + ": ground-truth box " + k + " has class "
            + gtLabels[k] + ", classes start at 1 (0 is background)");
      }
    }
    float[] all = concat(List.of(proposals, gtBoxes));
    Assignment a = assign(all, gtBoxes, gtLabels);
    Sample s = sampling.sample(image, a.labels(), sampler);
    int[] keep = s.all();
    float[] boxes = Boxes.select(all, keep);
    int[] labels = Boxes.select1(a.labels(), keep);
    int[] matched = Boxes.select1(a.matchedGt(), keep);
    float[] targets = g == 0 ? new float[boxes.length] : coder.encode(Boxes.select(gtBoxes, matched), boxes);
    return new SampledRois(boxes, labels, matched, targets);
  }

  static float[] concat(List<float[]> parts) {
    int total = 0;
    for (float[] p : parts) {
      total += p.length;
    }
    float[] out = new float[total];
    int k = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, k, p.length);
      k += p.length;
    }
    return out;
  }
}
