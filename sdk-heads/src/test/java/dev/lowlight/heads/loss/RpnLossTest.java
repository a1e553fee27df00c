package dev.lowlight.heads.loss;

import static dev.lowlight.heads.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.heads.Fixture;
import dev.lowlight.heads.anchors.AnchorGenerator;
import dev.lowlight.heads.ops.BoxCoder;
import dev.lowlight.heads.targets.BalancedPositiveNegativeSampler;
import dev.lowlight.heads.targets.Matcher;
import dev.lowlight.heads.targets.Sample;
import dev.lowlight.heads.targets.Sampling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link RpnLoss} against torchvision 0.14's {@code RegionProposalNetwork} (make_loss_fixtures.py). */
class RpnLossTest {

  private static final Logger LOG = LoggerFactory.getLogger(RpnLossTest.class);
  private static final double RTOL = 1e-4;
  private static final int IMAGES = 3;
  private static final int LEVELS = 2;

  static NDArray array(NDManager m, Fixture f, String name) {
    return m.create(f.floats(name), new Shape(f.shape(name)));
  }

  @Test
  void labelsAndTargetsEqualTorchvisionIncludingTiesAndAnEmptyImage() {
    Fixture f = Fixture.load("losses/rpn");
    RpnLoss loss = RpnLoss.defaults();
    for (int i = 0; i < IMAGES; i++) {
      float[] anchors = f.floats("anchors_" + i);
      float[] gt = f.floats("gt_" + i);
      RpnLoss.AnchorTargets t = loss.assign(anchors, gt);
      assertThat(t.labels()).as("labels of image %d", i).containsExactly(f.ints("labels_" + i, true));
      float[] expected = f.floats("targets_" + i);
      float[] actual = new float[expected.length];
      for (int k = 0; k < t.labels().length; k++) {
        if (t.labels()[k] == 1) {
          float[] one = BoxCoder.RPN.encode(Arrays.copyOfRange(gt, 4 * t.matchedGt()[k], 4 * t.matchedGt()[k] + 4),
              Arrays.copyOfRange(anchors, 4 * k, 4 * k + 4));
          System.arraycopy(one, 0, actual, 4 * k, 4);
        }
      }
      assertClose("regression targets of image " + i, actual, expected, RTOL);
    }
    // image 2's single small box: only low-quality matches, with ties
    assertThat(Arrays.stream(f.ints("labels_2", true)).filter(l -> l == 1).count()).isGreaterThan(1);
    assertThat(f.ints("labels_1", true)).containsOnly(0);
  }

  @Test
  void lossesAndGradientsEqualTorchvisionOnFixedSamples() {
    Fixture f = Fixture.load("losses/rpn");
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      List<NDArray> obj = new ArrayList<>();
      List<NDArray> del = new ArrayList<>();
      for (int l = 0; l < LEVELS; l++) {
        NDArray o = array(m, f, "objectness_" + l);
        NDArray d = array(m, f, "deltas_" + l);
        o.setRequiresGradient(true);
        d.setRequiresGradient(true);
        obj.add(o);
        del.add(d);
      }
      RpnLosses losses;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        losses = RpnLoss.defaults().compute(obj, del, anchors(f), gts(f), given(f));
        gc.backward(losses.total());
      }
      double wo = assertClose("loss_objectness", new float[] {losses.objectness().getFloat()},
          f.floats("loss_objectness"), RTOL);
      double wb = assertClose("loss_rpn_box_reg", new float[] {losses.boxReg().getFloat()}, f.floats("loss_box"), RTOL);
      double wg = 0;
      for (int l = 0; l < LEVELS; l++) {
        float[] go = obj.get(l).getGradient().toFloatArray();
        assertThat(go).as("objectness gradient is non-zero").isNotEqualTo(new float[go.length]);
        wg = Math.max(wg, assertClose("grad objectness " + l, go, f.floats("grad_objectness_" + l), RTOL));
        wg = Math.max(wg, assertClose("grad deltas " + l, del.get(l).getGradient().toFloatArray(),
            f.floats("grad_deltas_" + l), RTOL));
      }
      LOG.info("RPN loss parity: objectness {} (worst rel {}), box {} (worst rel {}), gradients worst rel {}",
          losses.objectness().getFloat(), wo, losses.boxReg().getFloat(), wb, wg);
    }
  }

  @Test
  void headOutputsInterleavedGiveTheSameLoss() {
    Fixture f = Fixture.load("losses/rpn");
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDList outputs = new NDList();
      List<NDArray> obj = new ArrayList<>();
      List<NDArray> del = new ArrayList<>();
      for (int l = 0; l < LEVELS; l++) {
        obj.add(array(m, f, "objectness_" + l));
        del.add(array(m, f, "deltas_" + l));
        outputs.add(obj.get(l));
        outputs.add(del.get(l));
      }
      RpnLosses a = RpnLoss.defaults().compute(outputs, anchors(f), gts(f), given(f));
      assertThat(a.objectness().getFloat()).isEqualTo(RpnLoss.defaults().compute(obj, del, anchors(f), gts(f),
          given(f)).objectness().getFloat());
    }
  }

  @Test
  void seededSamplingHonoursTheBatchAndGivesFiniteLossesThatBackpropagate() {
    Fixture f = Fixture.load("losses/rpn");
    List<Sample> drawn = new ArrayList<>();
    Sampling seeded = Sampling.seeded(3);
    Sampling recording = (image, labels, sampler) -> {
      Sample s = seeded.sample(image, labels, sampler);
      drawn.add(s);
      return s;
    };
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      List<NDArray> obj = new ArrayList<>();
      List<NDArray> del = new ArrayList<>();
      for (int l = 0; l < LEVELS; l++) {
        obj.add(array(m, f, "objectness_" + l));
        del.add(array(m, f, "deltas_" + l));
        obj.get(l).setRequiresGradient(true);
        del.get(l).setRequiresGradient(true);
      }
      RpnLosses l;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        l = RpnLoss.defaults().compute(obj, del, anchors(f), gts(f), recording);
        gc.backward(l.total());
      }
      assertThat(drawn).hasSize(IMAGES);
      for (int i = 0; i < IMAGES; i++) {
        int[] labels = f.ints("labels_" + i, true);
        long usable = Arrays.stream(labels).filter(v -> v >= 0).count();
        assertThat(drawn.get(i).size()).as("image %d", i).isEqualTo((int) Math.min(256, usable));
        assertThat(drawn.get(i).positives().length).isLessThanOrEqualTo(128);
      }
      // image 0 has 16 positives, all taken; image 1 has none
      assertThat(drawn.get(0).positives()).hasSize(16);
      assertThat(drawn.get(1).positives()).isEmpty();
      assertThat(Float.isFinite(l.objectness().getFloat())).isTrue();
      assertThat(l.boxReg().getFloat()).isPositive();
      assertThat(del.get(0).getGradient().abs().sum().getFloat()).isPositive();
    }
  }

  @Test
  void imagesWithoutGroundTruthGiveAZeroBoxLossConnectedToTheGraph() {
    AnchorGenerator gen = new AnchorGenerator(List.of(List.of(32)), List.of(0.5, 1.0, 2.0));
    float[] anchors = RpnLoss.concatLevels(gen.anchors(128, 128, new int[][] {{16, 16}}));
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray o = m.randomNormal(new Shape(2, 3, 16, 16));
      NDArray d = m.randomNormal(new Shape(2, 12, 16, 16));
      o.setRequiresGradient(true);
      d.setRequiresGradient(true);
      RpnLosses l;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        l = RpnLoss.defaults().compute(List.of(o), List.of(d), Collections.nCopies(2, anchors),
            List.of(new float[0], new float[0]), Sampling.seeded(1));
        gc.backward(l.total());
      }
      assertThat(l.boxReg().getFloat()).isZero();
      assertThat(l.objectness().getFloat()).isPositive();
      // every sampled anchor is a negative: the gradient is sigmoid(x) / 512 > 0 on the sampled ones
      float[] g = o.getGradient().toFloatArray();
      assertThat(g).hasSize(2 * 768);
      long nonZero = 0;
      for (float v : g) {
        assertThat(v).isGreaterThanOrEqualTo(0f);
        nonZero += v > 0 ? 1 : 0;
      }
      assertThat(nonZero).isEqualTo(2 * 256);
      assertThat(d.getGradient().abs().sum().getFloat()).isZero();
    }
  }

  @Test
  void configAndBadShapesAreChecked() {
    ModelConfig c = ModelConfig.defaults();
    assertThat(RpnLoss.fromConfig(c.rpn())).isEqualTo(new RpnLoss(new Matcher(0.7f, 0.3f, true),
        new BalancedPositiveNegativeSampler(256, 0.5), BoxCoder.RPN));
    assertThat(RpnLoss.fromConfig(c.rpn())).isEqualTo(RpnLoss.defaults());
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray o = m.zeros(new Shape(1, 3, 4, 4));
      NDArray d = m.zeros(new Shape(1, 8, 4, 4));
      assertThatThrownBy(() -> RpnLoss.defaults().compute(List.of(o), List.of(d), List.of(new float[192]),
          List.of(new float[0]), Sampling.seeded(1))).hasMessageContaining("needs deltas [1, 12, 4, 4]");
      NDArray d12 = m.zeros(new Shape(1, 12, 4, 4));
      assertThatThrownBy(() -> RpnLoss.defaults().compute(List.of(o), List.of(d12), List.of(new float[40]),
          List.of(new float[0]), Sampling.seeded(1))).hasMessageContaining("predicts 48 anchors, got 10");
    }
  }

  static List<float[]> anchors(Fixture f) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      out.add(f.floats("anchors_" + i));
    }
    return out;
  }

  static List<float[]> gts(Fixture f) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      out.add(f.floats("gt_" + i));
    }
    return out;
  }

  static Sampling given(Fixture f) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      out.add(new Sample(f.ints("pos_" + i, true), f.ints("neg_" + i, true)));
    }
    return Sampling.given(out);
  }
}
