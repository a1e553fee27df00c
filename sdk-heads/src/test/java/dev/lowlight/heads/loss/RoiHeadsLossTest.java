package dev.lowlight.heads.loss;

import static dev.lowlight.heads.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.heads.Fixture;
import dev.lowlight.heads.targets.Sample;
import dev.lowlight.heads.targets.Sampling;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RoiTargets}, {@link FastRcnnLoss} and {@link MaskLoss} against torchvision 0.14's {@code
 * select_training_samples}, {@code fastrcnn_loss} and {@code maskrcnn_loss} (make_loss_fixtures.py):
 * three images, the second without ground truth.
 */
class RoiHeadsLossTest {

  private static final Logger LOG = LoggerFactory.getLogger(RoiHeadsLossTest.class);
  private static final double RTOL = 1e-4;
  private static final int IMAGES = 3;

  private static final Fixture F = Fixture.load("losses/roi_heads");

  static RoiTargets targets() {
    return new RoiTargets(RoiTargets.defaults().matcher(), new dev.lowlight.heads.targets
        .BalancedPositiveNegativeSampler(F.param("batch_size_per_image").getAsInt(),
            F.param("positive_fraction").getAsDouble()), RoiTargets.defaults().coder());
  }

  static List<SampledRois> sampled() {
    List<float[]> proposals = new ArrayList<>();
    List<float[]> gt = new ArrayList<>();
    List<int[]> labels = new ArrayList<>();
    List<Sample> given = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      proposals.add(F.floats("proposals_" + i));
      gt.add(F.floats("gt_boxes_" + i));
      labels.add(F.ints("gt_labels_" + i, true));
      given.add(new Sample(F.ints("pos_" + i, true), F.ints("neg_" + i, true)));
    }
    return targets().sample(proposals, gt, labels, Sampling.given(given));
  }

  static List<NDArray> masks(NDManager m) {
    List<NDArray> out = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      float[] v = F.floats("gt_masks_" + i);
      byte[] b = new byte[v.length];
      for (int k = 0; k < v.length; k++) {
        b[k] = (byte) v[k];
      }
      out.add(m.create(java.nio.ByteBuffer.wrap(b), new Shape(F.shape("gt_masks_" + i)), DataType.UINT8));
    }
    return out;
  }

  @Test
  void assignmentAndSampledTargetsEqualTorchvision() {
    for (int i = 0; i < IMAGES; i++) {
      float[] all = RoiTargets.concat(List.of(F.floats("proposals_" + i), F.floats("gt_boxes_" + i)));
      RoiTargets.Assignment a = targets().assign(all, F.floats("gt_boxes_" + i), F.ints("gt_labels_" + i, true));
      assertThat(a.labels()).as("labels before sampling, image %d", i).containsExactly(F.ints("all_labels_" + i,
          true));
      assertThat(a.matchedGt()).as("matches before sampling, image %d", i).containsExactly(F.ints("all_matched_" + i,
          true));
    }
    List<SampledRois> rois = sampled();
    double worst = 0;
    for (int i = 0; i < IMAGES; i++) {
      SampledRois s = rois.get(i);
      assertThat(s.proposals()).as("sampled proposals, image %d", i).containsExactly(F.floats("sampled_" + i));
      assertThat(s.labels()).as("sampled labels, image %d", i).containsExactly(F.ints("labels_" + i, true));
      assertThat(s.matchedGt()).as("sampled matches, image %d", i).containsExactly(F.ints("matched_" + i, true));
      float[] t = s.regressionTargets().clone();
      for (int k = 0; k < s.size(); k++) {
        if (s.labels()[k] == 0) {
          java.util.Arrays.fill(t, 4 * k, 4 * k + 4, 0f);
        }
      }
      worst = Math.max(worst, assertClose("regression targets, image " + i, t, F.floats("targets_" + i), RTOL));
    }
    assertThat(rois.get(1).positiveIndices()).isEmpty();
    assertThat(rois.get(1).regressionTargets()).containsOnly(0f);
    // the gt boxes appended to the proposals are sampled as positives of their own class
    assertThat(rois.get(0).labels()[rois.get(0).size() - 1]).isPositive();
    LOG.info("RoI regression targets worst relative error {}", worst);
  }

  @Test
  void fastRcnnLossesAndGradientsEqualTorchvision() {
    List<SampledRois> rois = sampled();
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray logits = RpnLossTest.array(m, F, "class_logits");
      NDArray reg = RpnLossTest.array(m, F, "box_regression");
      logits.setRequiresGradient(true);
      reg.setRequiresGradient(true);
      FastRcnnLosses l;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        l = FastRcnnLoss.compute(logits, reg, rois);
        gc.backward(l.total());
      }
      double wc = assertClose("loss_classifier", new float[] {l.classifier().getFloat()}, F.floats("loss_classifier"),
          RTOL);
      double wb = assertClose("loss_box_reg", new float[] {l.boxReg().getFloat()}, F.floats("loss_box_reg"), RTOL);
      float[] gl = logits.getGradient().toFloatArray();
      assertThat(gl).isNotEqualTo(new float[gl.length]);
      double wg = Math.max(assertClose("grad class logits", gl, F.floats("grad_class_logits"), RTOL),
          assertClose("grad box regression", reg.getGradient().toFloatArray(), F.floats("grad_box_regression"), RTOL));
      LOG.info("fastrcnn_loss parity: classifier {} (worst rel {}), box {} (worst rel {}), gradients worst rel {}",
          l.classifier().getFloat(), wc, l.boxReg().getFloat(), wb, wg);
    }
  }

  @Test
  void maskTargetsLossAndGradientsEqualTorchvision() {
    List<SampledRois> rois = sampled();
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      List<NDArray> gtMasks = masks(m);
      List<int[]> matched = new ArrayList<>();
      int[] labels = new int[0];
      for (SampledRois s : rois) {
        matched.add(s.positiveMatchedGt());
        labels = concat(labels, s.positiveLabels());
      }
      assertThat(labels).containsExactly(F.ints("mask_labels", true));
      NDArray targets = MaskLoss.targets(m, SampledRois.positiveProposals(rois), matched, gtMasks, 28);
      double wt = assertClose("mask targets", targets.toFloatArray(), F.floats("mask_targets"), RTOL);
      // torchvision's targets are soft at the edges, not 0/1
      long soft = 0;
      for (float v : targets.toFloatArray()) {
        soft += v > 0.01f && v < 0.99f ? 1 : 0;
      }
      assertThat(soft).isPositive();

      NDArray logits = RpnLossTest.array(m, F, "mask_logits");
      logits.setRequiresGradient(true);
      NDArray loss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        loss = MaskLoss.compute(logits, rois, gtMasks);
        gc.backward(loss);
      }
      double wl = assertClose("loss_mask", new float[] {loss.getFloat()}, F.floats("loss_mask"), RTOL);
      NDArray grad = logits.getGradient();
      long p = grad.getShape().get(0);
      float[] selected = new float[(int) p * 784];
      for (int k = 0; k < p; k++) {
        System.arraycopy(grad.get(k).get(labels[k]).toFloatArray(), 0, selected, k * 784, 784);
      }
      double wg = assertClose("grad mask logits", selected, F.floats("grad_mask_logits_selected"), RTOL);
      // other classes' channels get no gradient
      assertThat(grad.abs().sum().getFloat()).isCloseTo(
          (float) java.util.Arrays.stream(toDouble(selected)).map(Math::abs).sum(), org.assertj.core.data.Percentage
              .withPercentage(1e-3));
      LOG.info("maskrcnn_loss parity: loss {} (worst rel {}), targets worst rel {}, gradient worst rel {}",
          loss.getFloat(), wl, wt, wg);
    }
  }

  @Test
  void croppedMaskTargetsEqualRoiAlignOnTheWholeMaskAtEdgesAndOutside() {
    int h = 37;
    int w = 53;
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    float[] mask = new float[2 * h * w];
    byte[] bytes = new byte[mask.length];
    for (int i = 0; i < mask.length; i++) {
      bytes[i] = (byte) (r.nextInt(3) == 0 ? 1 : 0);
      mask[i] = bytes[i];
    }
    // inside, across each edge, sub-pixel, beyond the far corner, and entirely outside
    float[] boxes = {
        5.3f, 4.7f, 30.2f, 20.9f,
        -6.5f, -3.2f, 12.1f, 9.9f,
        40.4f, 25.5f, 60.0f, 45.0f,
        20.2f, 10.1f, 20.6f, 10.4f,
        50.5f, 35.5f, 52.9f, 36.9f,
        70f, 50f, 90f, 60f};
    int[] matched = {0, 1, 0, 1, 1, 0};
    float[] rois = new float[5 * matched.length];
    for (int k = 0; k < matched.length; k++) {
      rois[5 * k] = matched[k];
      System.arraycopy(boxes, 4 * k, rois, 5 * k + 1, 4);
    }
    float[] expected = new dev.lowlight.heads.roi.RoiAlign(28, 28, 1f, 0).reference(mask, 2, 1, h, w, rois);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray masks = m.create(java.nio.ByteBuffer.wrap(bytes), new Shape(2, h, w), DataType.UINT8);
      NDArray t = MaskLoss.targets(m, List.of(boxes), List.of(matched), List.of(masks), 28);
      assertThat(t.getShape()).isEqualTo(new Shape(6, 28, 28));
      assertClose("cropped mask targets", t.toFloatArray(), expected, RTOL);
      assertThat(masks.getDataType()).isEqualTo(DataType.UINT8);
    }
  }

  @Test
  void noForegroundGivesZeroMaskLossConnectedToTheLogitsAndEmptyBatchesDoNotCrash() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      // image 1 of the fixture has no ground truth: all its RoIs are background
      List<SampledRois> rois = List.of(sampled().get(1));
      NDArray logits = m.zeros(new Shape(0, 4, 28, 28));
      logits.setRequiresGradient(true);
      NDArray loss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        loss = MaskLoss.compute(logits, rois, List.of(m.zeros(new Shape(0, 64, 80))));
        gc.backward(loss);
      }
      assertThat(loss.getFloat()).isZero();
      assertThat(logits.getGradient().getShape()).isEqualTo(new Shape(0, 4, 28, 28));

      NDArray cls = m.randomNormal(new Shape(rois.get(0).size(), 4));
      NDArray reg = m.randomNormal(new Shape(rois.get(0).size(), 16));
      cls.setRequiresGradient(true);
      reg.setRequiresGradient(true);
      FastRcnnLosses l;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        l = FastRcnnLoss.compute(cls, reg, rois);
        gc.backward(l.total());
      }
      assertThat(l.boxReg().getFloat()).isZero();
      assertThat(l.classifier().getFloat()).isPositive();
      assertThat(cls.getGradient().abs().sum().getFloat()).isPositive();
      assertThat(reg.getGradient().abs().sum().getFloat()).isZero();
    }
  }

  @Test
  void seededSamplingOfDefaultsKeepsTheQuarterAndGtBoxesAreAlwaysCandidates() {
    RoiTargets t = RoiTargets.fromConfig(ModelConfig.defaults().roiHeads());
    assertThat(t).isEqualTo(RoiTargets.defaults());
    // 2000 random proposals far from the single gt: only the appended gt box can be positive
    float[] proposals = new float[4 * 2000];
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    for (int i = 0; i < 2000; i++) {
      float x = 400 + r.nextFloat() * 300;
      float y = 400 + r.nextFloat() * 300;
      proposals[4 * i] = x;
      proposals[4 * i + 1] = y;
      proposals[4 * i + 2] = x + 10 + r.nextFloat() * 50;
      proposals[4 * i + 3] = y + 10 + r.nextFloat() * 50;
    }
    SampledRois s = t.sampleImage(0, proposals, new float[] {10, 10, 60, 80}, new int[] {7}, Sampling.seeded(2));
    assertThat(s.size()).isEqualTo(512);
    assertThat(s.positiveIndices()).hasSize(1);
    assertThat(s.positiveLabels()).containsExactly(7);
    assertThat(s.positiveProposals()).containsExactly(10, 10, 60, 80);
    // a gt box is its own target: zero regression
    assertThat(java.util.Arrays.copyOfRange(s.regressionTargets(), 4 * s.positiveIndices()[0],
        4 * s.positiveIndices()[0] + 4)).containsOnly(0f);
  }

  @Test
  void badLabelsAndShapesAreRejected() {
    assertThatThrownBy(() -> RoiTargets.defaults().sampleImage(2, new float[4], new float[] {0, 0, 5, 5},
        new int[] {0}, Sampling.seeded(1))).hasMessageContaining("image 2: ground-truth box 0 has class 0");
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      assertThatThrownBy(() -> FastRcnnLoss.compute(m.zeros(new Shape(2, 3)), m.zeros(new Shape(2, 8)),
          new int[] {0, 1}, new float[8])).hasMessageContaining("need box regression [2, 12]");
      assertThatThrownBy(() -> FastRcnnLoss.compute(m.zeros(new Shape(2, 3)), m.zeros(new Shape(2, 12)),
          new int[] {0, 3}, new float[8])).hasMessageContaining("RoI 1 has label 3");
      assertThatThrownBy(() -> MaskLoss.compute(m.zeros(new Shape(2, 3, 28, 28)), List.of(new float[4]),
          List.of(new int[1]), List.of(new int[] {1}), List.of(m.zeros(new Shape(1, 8, 8)))))
          .hasMessageContaining("hold 2 RoIs, the images have 1");
    }
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static double[] toDouble(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
