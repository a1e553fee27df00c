package dev.lowlight.heads.roi;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowlight.api.nn.DeferredGradient;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java RoIAlign kernel against the plain transcription of torchvision's kernel ({@link
 * RoiAlign#reference}) on random boxes (inside, across and outside the map, degenerate, tiny and
 * huge), its backward as the exact adjoint of its forward, its determinism, and the host path of
 * {@link MultiScaleRoiAlign#pool} against the engine path {@link MultiScaleRoiAlign#apply}: the same
 * values, and the same gradient once the deferred pass has run.
 */
class RoiAlignKernelTest {

  private static final int N = 2;
  private static final int C = 5;
  private static final int H = 13;
  private static final int W = 17;

  @ParameterizedTest(name = "sampling ratio {0}")
  @ValueSource(ints = {2, 1, 0, -1, 3})
  void forwardEqualsTorchvisionsKernelOnRandomBoxes(int samplingRatio) {
    Random random = new Random(samplingRatio + 10);
    float[] nchw = randomFloats(random, N * C * H * W);
    float[] rois = randomRois(random, 60, 0.5f);
    RoiAlign reference = new RoiAlign(7, 7, 0.5f, samplingRatio);
    float[] expected = reference.reference(nchw, N, C, H, W, rois);
    float[] rows = RoiAlignKernel.forward(RoiAlignKernel.taps(rois, 7, 7, 0.5f, samplingRatio, N, H, W),
        toNhwc(nchw), C);
    float[] actual = rowsToNchw(rows, rois.length / 5, 49);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("value %d", i).isCloseTo(expected[i],
          org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(expected[i]))));
    }
  }

  @Test
  void backwardIsTheAdjointOfForwardAndRepeatsBitForBit() {
    Random random = new Random(3);
    float[] table = randomFloats(random, N * H * W * C);
    float[] rois = randomRois(random, 40, 0.5f);
    RoiAlignKernel.Taps taps = RoiAlignKernel.taps(rois, 7, 7, 0.5f, 2, N, H, W);
    float[] up = randomFloats(random, taps.bins() * C);
    float[] out = RoiAlignKernel.forward(taps, table, C);
    float[] grad = RoiAlignKernel.backward(taps, up, C, N * H * W);
    double lhs = 0;
    for (int i = 0; i < out.length; i++) {
      lhs += (double) out[i] * up[i];
    }
    double rhs = 0;
    for (int i = 0; i < grad.length; i++) {
      rhs += (double) grad[i] * table[i];
    }
    assertThat(lhs).as("<forward(x), u> = <x, backward(u)>").isCloseTo(rhs,
        org.assertj.core.data.Offset.offset(1e-4 * Math.abs(lhs)));
    assertThat(RoiAlignKernel.backward(taps, up, C, N * H * W)).containsExactly(grad);
    assertThat(RoiAlignKernel.forward(taps, table, C)).containsExactly(out);
  }

  @Test
  void hostPathEqualsEnginePathInValuesAndGradients() {
    Random random = new Random(8);
    MultiScaleRoiAlign pool = MultiScaleRoiAlign.fromStrides(7, 2, 4, 8);
    List<float[]> boxes = List.of(imageBoxes(random, 30, 64, 96), imageBoxes(random, 25, 64, 96));
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray p2 = m.create(randomFloats(random, 2 * C * 16 * 24), new Shape(2, C, 16, 24));
      NDArray p3 = m.create(randomFloats(random, 2 * C * 8 * 12), new Shape(2, C, 8, 12));
      NDArray weights = m.create(randomFloats(random, 55 * C * 49), new Shape(55, C, 7, 7));
      float[][] engineGrads = new float[2][];
      float[] engineValues;
      p2.setRequiresGradient(true);
      p3.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = pool.apply(new NDList(p2, p3), boxes);
        engineValues = out.toFloatArray();
        gc.backward(out.mul(weights).sum());
      }
      engineGrads[0] = p2.getGradient().toFloatArray();
      engineGrads[1] = p3.getGradient().toFloatArray();

      p2.getGradient().subi(p2.getGradient());
      p3.getGradient().subi(p3.getGradient());
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        // the levels are results of the graph in training; a product keeps them inside it
        NDArray l2 = dev.lowlight.api.nn.Scalars.mul(p2, 1f);
        NDArray l3 = dev.lowlight.api.nn.Scalars.mul(p3, 1f);
        PooledFeatures pooled = pool.pool(new HostLevels(new NDList(l2, l3)), boxes, true);
        assertThat(pooled.gradient()).isNotNull();
        assertClose(pooled.values().toFloatArray(), engineValues, "pooled values");
        gc.backward(pooled.values().mul(weights).sum());
        gc.backward(DeferredGradient.carrier(List.of(pooled.gradient())));
      }
      assertClose(p2.getGradient().toFloatArray(), engineGrads[0], "P2 gradient");
      assertClose(p3.getGradient().toFloatArray(), engineGrads[1], "P3 gradient");
    }
  }

  @Test
  void inferenceDefersNothingAndEmptyInputsGiveEmptyOutputs() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray p2 = m.ones(new Shape(1, C, 8, 8));
      PooledFeatures pooled = MultiScaleRoiAlign.fromStrides(7, 2, 4).pool(new HostLevels(new NDList(p2)),
          List.of(new float[] {0, 0, 16, 16}), false);
      assertThat(pooled.gradient()).isNull();
      assertThat(pooled.values().getShape()).isEqualTo(new Shape(1, C, 7, 7));
      for (float v : pooled.values().toFloatArray()) {
        assertThat(v).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
      }
      assertThat(MultiScaleRoiAlign.fromStrides(7, 2, 4).pool(new HostLevels(new NDList(p2)), List.of(new float[0]), true)
          .values().getShape()).isEqualTo(new Shape(0, C, 7, 7));
    }
  }

  private static void assertClose(float[] actual, float[] expected, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("%s %d", what, i).isCloseTo(expected[i],
          org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(expected[i]))));
    }
  }

  private static float[] imageBoxes(Random random, int count, int height, int width) {
    float[] b = new float[4 * count];
    for (int i = 0; i < count; i++) {
      float x = random.nextFloat() * width;
      float y = random.nextFloat() * height;
      b[4 * i] = x;
      b[4 * i + 1] = y;
      b[4 * i + 2] = Math.min(width, x + 1 + random.nextFloat() * width);
      b[4 * i + 3] = Math.min(height, y + 1 + random.nextFloat() * height);
    }
    return b;
  }

  /** Boxes in image pixels (scale 1/{@code scale} of the map): inside, across and outside, tiny, huge, inverted. */
  private static float[] randomRois(Random random, int count, float scale) {
    float[] rois = new float[5 * count];
    for (int i = 0; i < count; i++) {
      float x = (random.nextFloat() * 1.6f - 0.3f) * W / scale;
      float y = (random.nextFloat() * 1.6f - 0.3f) * H / scale;
      float side = i % 7 == 0 ? 0.2f : i % 11 == 0 ? 3 * W / scale : random.nextFloat() * W / scale;
      rois[5 * i] = i % N;
      rois[5 * i + 1] = x;
      rois[5 * i + 2] = y;
      rois[5 * i + 3] = i % 13 == 0 ? x - 2 : x + side;
      rois[5 * i + 4] = y + side * (0.5f + random.nextFloat());
    }
    return rois;
  }

  private static float[] randomFloats(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  private static float[] toNhwc(float[] nchw) {
    float[] out = new float[nchw.length];
    for (int b = 0; b < N; b++) {
      for (int c = 0; c < C; c++) {
        for (int p = 0; p < H * W; p++) {
          out[(b * H * W + p) * C + c] = nchw[(b * C + c) * H * W + p];
        }
      }
    }
    return out;
  }

  private static float[] rowsToNchw(float[] rows, int r, int bins) {
    float[] out = new float[rows.length];
    for (int i = 0; i < r; i++) {
      for (int b = 0; b < bins; b++) {
        for (int c = 0; c < C; c++) {
          out[(i * C + c) * bins + b] = rows[(i * bins + b) * C + c];
        }
      }
    }
    return out;
  }
}
