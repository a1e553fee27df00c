package dev.lowlight.heads.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowlight.api.config.RpnConfig;
import dev.lowlight.api.nn.Scalars;
import dev.lowlight.heads.ops.BoxCoder;
import dev.lowlight.heads.ops.Boxes;
import dev.lowlight.heads.targets.BalancedPositiveNegativeSampler;
import dev.lowlight.heads.targets.Matcher;
import dev.lowlight.heads.targets.Sample;
import dev.lowlight.heads.targets.Sampling;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision 0.14's RPN training loss ({@code assign_targets_to_anchors} and {@code
 * compute_loss}): each anchor is matched to the ground truth by IoU (foreground at {@code >=
 * 0.7}, background below {@code 0.3}, ignored between, low-quality matches kept); {@code 256}
 * anchors per image are sampled at most half positive; the objectness loss is the mean binary
 * cross-entropy with logits over the sampled anchors of the whole batch, and the box loss is the
 * smooth-L1 ({@code beta = 1/9}) of the positives' deltas against their encoded targets (weights
 * 1, 1, 1, 1), summed and divided by the number of sampled anchors of the batch.
 *
 * <p>Layouts, as torchvision's {@code concat_box_prediction_layers}: objectness of level {@code
 * l} is {@code [N, A, H, W]} and is read as {@code [N, H, W, A]}; deltas are {@code [N, 4A, H, W]}
 * read as {@code [N, H, W, A, 4]}. Per image, levels are concatenated finest first, so anchor
 * {@code k} of an image is at {@code (level, y, x, a)} in that order — the order of {@link
 * dev.lowlight.heads.anchors.AnchorGenerator#anchors(int, int, int[][])} concatenated over
 * levels (see {@link #concatLevels}).
 *
 * <p>An image without ground truth has every anchor negative and adds nothing to the box loss.
 * A batch with no positive gives a box loss of 0 that is still connected to the deltas; a batch
 * with no anchor sampled at all (no anchors) gives 0 for both terms where torchvision gives NaN.
 *
 * <pre>{@code
 * RpnLoss loss = RpnLoss.fromConfig(config.rpn());
 * List<float[]> anchors = Collections.nCopies(n, RpnLoss.concatLevels(generator.anchors(h, w, sizes)));
 * RpnLosses l = loss.compute(objectnessPerLevel, deltasPerLevel, anchors, gtBoxes, Sampling.seeded(7));
 * }</pre>
 *
 * @param matcher anchor to ground-truth matching
 * @param sampler anchors sampled per image and their positive fraction
 * @param coder regression target encoding
 */
public record RpnLoss(Matcher matcher, BalancedPositiveNegativeSampler sampler, BoxCoder coder) {

  public RpnLoss {
    if (matcher == null || sampler == null || coder == null) {
      throw new IllegalArgumentException("RpnLoss needs a matcher, a sampler and a box coder");
    }
  }

  /** torchvision's defaults: 0.7 / 0.3 with low-quality matches, 256 at 0.5, weights (1, 1, 1, 1). */
  public static RpnLoss defaults() {
    return new RpnLoss(new Matcher(0.7f, 0.3f, true), new BalancedPositiveNegativeSampler(256, 0.5), BoxCoder.RPN);
  }

  /** The loss with the thresholds and sampling of {@code config}. */
  public static RpnLoss fromConfig(RpnConfig config) {
    return new RpnLoss(Matcher.rpn(config), BalancedPositiveNegativeSampler.rpn(config), BoxCoder.RPN);
  }

  /**
   * Targets of one image's anchors.
   *
   * @param labels per anchor: 1 foreground, 0 background, -1 ignored
   * @param matchedGt per anchor: the matched ground-truth index, 0 where unmatched (as
   *     torchvision's {@code clamp(min=0)}), 0 everywhere for an image without ground truth
   */
  public record AnchorTargets(int[] labels, int[] matchedGt) {}

  /** torchvision's {@code assign_targets_to_anchors} for one image (flat {@code xyxy} arrays). */
  public AnchorTargets assign(float[] anchors, float[] gtBoxes) {
    int n = Boxes.count(anchors);
    int[] labels = new int[n];
    int[] matched = new int[n];
    if (Boxes.count(gtBoxes) == 0 || n == 0) {
      return new AnchorTargets(labels, matched);
    }
    int[] m = matcher.matchBoxes(gtBoxes, anchors);
    for (int i = 0; i < n; i++) {
      labels[i] = m[i] >= 0 ? 1 : m[i] == Matcher.BETWEEN_THRESHOLDS ? -1 : 0;
      matched[i] = Math.max(m[i], 0);
    }
    return new AnchorTargets(labels, matched);
  }

  /** One image's anchors of every level, concatenated finest level first. */
  public static float[] concatLevels(List<float[]> anchorsPerLevel) {
    int total = 0;
    for (float[] a : anchorsPerLevel) {
      total += Boxes.count(a) * 4;
    }
    float[] out = new float[total];
    int k = 0;
    for (float[] a : anchorsPerLevel) {
      System.arraycopy(a, 0, out, k, a.length);
      k += a.length;
    }
    return out;
  }

  /**
   * The loss from the {@link dev.lowlight.heads.rpn.RpnHead}'s outputs, objectness and deltas
   * interleaved per level ({@code obj_0, deltas_0, obj_1, ...}).
   */
  public RpnLosses compute(NDList headOutputs, List<float[]> anchorsPerImage, List<float[]> gtBoxesPerImage,
      Sampling sampling) {
    if (headOutputs.size() % 2 != 0) {
      throw new IllegalArgumentException("RPN head outputs come in (objectness, deltas) pairs, got "
          + headOutputs.size() + " arrays");
    }
    List<NDArray> obj = new ArrayList<>();
    List<NDArray> del = new ArrayList<>();
    for (int i = 0; i < headOutputs.size(); i += 2) {
      obj.add(headOutputs.get(i));
      del.add(headOutputs.get(i + 1));
    }
    return compute(obj, del, anchorsPerImage, gtBoxesPerImage, sampling);
  }

  /**
   * The RPN losses of a batch.
   *
   * @param objectnessPerLevel per level, logits {@code [N, A, H, W]}
   * @param deltasPerLevel per level, {@code [N, 4A, H, W]} ({@code dx, dy, dw, dh} of anchor
   *     {@code a} at channels {@code 4a..4a+3})
   * @param anchorsPerImage per image, flat {@code xyxy} anchors of all levels in the flattening
   *     order above
   * @param gtBoxesPerImage per image, flat {@code xyxy} ground-truth boxes (may be empty)
   * @param sampling how the anchors of each image are sampled
   * @return both terms as scalars attached to the first objectness array's manager
   */
  public RpnLosses compute(List<NDArray> objectnessPerLevel, List<NDArray> deltasPerLevel,
      List<float[]> anchorsPerImage, List<float[]> gtBoxesPerImage, Sampling sampling) {
    int levels = objectnessPerLevel.size();
    if (levels == 0 || deltasPerLevel.size() != levels) {
      throw new IllegalArgumentException("need objectness and deltas for the same levels (at least one), got "
          + levels + " and " + deltasPerLevel.size());
    }
    NDArray first = objectnessPerLevel.get(0);
    LossOps.requireRank("objectness of level 0", first, 4);
    long n = first.getShape().get(0);
    if (anchorsPerImage.size() != n || gtBoxesPerImage.size() != n) {
      throw new IllegalArgumentException("batch of " + n + " images, got anchors for " + anchorsPerImage.size()
          + " and ground truth for " + gtBoxesPerImage.size());
    }
    long total = 0;
    for (int l = 0; l < levels; l++) {
      NDArray o = objectnessPerLevel.get(l);
      NDArray d = deltasPerLevel.get(l);
      LossOps.requireRank("objectness of level " + l, o, 4);
      LossOps.requireRank("deltas of level " + l, d, 4);
      Shape os = o.getShape();
      Shape ds = d.getShape();
      if (os.get(0) != n || ds.get(0) != n || ds.get(1) != 4 * os.get(1) || ds.get(2) != os.get(2)
          || ds.get(3) != os.get(3)) {
        throw new IllegalArgumentException("level " + l + ": objectness " + os + " needs deltas [" + n + ", "
            + 4 * os.get(1) + ", " + os.get(2) + ", " + os.get(3) + "], got " + ds);
      }
      total += os.get(1) * os.get(2) * os.get(3);
    }
    for (int i = 0; i < n; i++) {
      if (anchorsPerImage.get(i).length != 4 * total) {
        throw new IllegalArgumentException("image " + i + ": the head predicts " + total + " anchors, got "
            + Boxes.count(anchorsPerImage.get(i)) + " anchor boxes");
      }
    }

    List<Long> pos = new ArrayList<>();
    List<Long> neg = new ArrayList<>();
    List<float[]> targets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] anchors = anchorsPerImage.get(i);
      float[] gt = gtBoxesPerImage.get(i);
      AnchorTargets t = assign(anchors, gt);
      Sample s = sampling.sample(i, t.labels(), sampler);
      int[] p = s.positives();
      for (int k : p) {
        pos.add(i * total + k);
      }
      for (int k : s.negatives()) {
        neg.add(i * total + k);
      }
      if (p.length > 0) {
        targets.add(coder.encode(Boxes.select(gt, Boxes.select1(t.matchedGt(), p)), Boxes.select(anchors, p)));
      }
    }

    NDManager parent = first.getManager();
    try (NDManager sub = parent.newSubManager()) {
      for (int l = 0; l < levels; l++) {
        sub.tempAttachAll(objectnessPerLevel.get(l), deltasPerLevel.get(l));
      }
      NDList objFlat = new NDList();
      NDList delFlat = new NDList();
      for (int l = 0; l < levels; l++) {
        Shape s = objectnessPerLevel.get(l).getShape();
        objFlat.add(objectnessPerLevel.get(l).transpose(0, 2, 3, 1).reshape(n, -1));
        delFlat.add(deltasPerLevel.get(l).reshape(n, s.get(1), 4, s.get(2), s.get(3)).transpose(0, 3, 4, 1, 2)
            .reshape(n, -1, 4));
      }
      NDArray obj = (levels == 1 ? objFlat.get(0) : NDArrays.concat(objFlat, 1)).reshape(-1);
      NDArray del = (levels == 1 ? delFlat.get(0) : NDArrays.concat(delFlat, 1)).reshape(-1, 4);

      int sampled = pos.size() + neg.size();
      NDArray objectnessLoss;
      NDArray boxLoss;
      if (sampled == 0) {
        objectnessLoss = LossOps.zeroOf(obj);
        boxLoss = LossOps.zeroOf(del);
      } else {
        long[] index = new long[sampled];
        float[] labels = new float[sampled];
        for (int k = 0; k < pos.size(); k++) {
          index[k] = pos.get(k);
          labels[k] = 1f;
        }
        for (int k = 0; k < neg.size(); k++) {
          index[pos.size() + k] = neg.get(k);
        }
        NDArray y = LossOps.floats(sub, labels, new Shape(sampled), obj);
        objectnessLoss = LossOps.bceWithLogitsMean(LossOps.rows(sub, obj, index), y);
        if (pos.isEmpty()) {
          boxLoss = LossOps.zeroOf(del);
        } else {
          NDArray target = LossOps.floats(sub, RoiTargets.concat(targets), new Shape(pos.size(), 4), del);
          NDArray pred = LossOps.rows(sub, del, java.util.Arrays.copyOf(index, pos.size()));
          boxLoss = Scalars.div(LossOps.smoothL1Sum(pred, target, LossOps.BETA), (float) sampled);
        }
      }
      objectnessLoss.attach(parent);
      boxLoss.attach(parent);
      return new RpnLosses(objectnessLoss, boxLoss);
    }
  }
}
