package dev.lowlight.api.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.conformance.ConformanceKit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class SharedLayersConformanceTest {

  @TestFactory
  Stream<DynamicTest> frozenBatchNormConforms() {
    return ConformanceKit.forBlock("frozen-bn", () -> FrozenBatchNorm2d.builder().setChannels(5).build(), null)
        .inputs(new Shape(1, 5, 8, 8)).inputs(new Shape(2, 5, 37, 53)).tests();
  }

  @TestFactory
  Stream<DynamicTest> batchNormConforms() {
    return ConformanceKit.forBlock("bn", () -> BatchNorm2d.builder().setChannels(6).optInitialWeight(0f).build(), null)
        .inputs(new Shape(1, 6, 8, 8)).inputs(new Shape(2, 6, 37, 53)).tests();
  }

  @TestFactory
  Stream<DynamicTest> maxPoolStemConforms() {
    return ConformanceKit.forBlock("maxpool-k3s2p1", () -> MaxPool2d.builder().setKernel(3).optStride(2).optPadding(1)
            .build(), null)
        .inputs(new Shape(1, 3, 8, 8)).inputs(new Shape(2, 3, 37, 53)).tests();
  }

  @TestFactory
  Stream<DynamicTest> maxPoolSubsampleConforms() {
    return ConformanceKit.forBlock("maxpool-k2", () -> MaxPool2d.builder().setKernel(2).build(), null)
        .inputs(new Shape(1, 3, 7, 9)).inputs(new Shape(1, 3, 37, 53)).tests();
  }

  @Test
  void frozenBatchNormMatchesFormulaAndIsFrozen() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      FrozenBatchNorm2d bn = FrozenBatchNorm2d.builder().setChannels(2).build();
      bn.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 1));
      var p = TorchNames.parameters(bn);
      assertThat(p.keySet()).containsExactly("weight", "bias", "running_mean", "running_var");
      assertThat(p.values()).noneMatch(ai.djl.nn.Parameter::requiresGradient);
      p.get("weight").getArray().set(new float[] {2f, 3f});
      p.get("bias").getArray().set(new float[] {1f, -1f});
      p.get("running_mean").getArray().set(new float[] {0.5f, 1f});
      p.get("running_var").getArray().set(new float[] {4f, 0.25f});
      NDArray x = m.create(new float[] {1.5f, 2f}, new Shape(1, 2, 1, 1));
      float[] y = bn.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow().toFloatArray();
      assertThat(y[0]).isCloseTo((float) (1 + (1.5 - 0.5) / Math.sqrt(4 + 1e-5) * 2), org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(y[1]).isCloseTo((float) (-1 + (2 - 1) / Math.sqrt(0.25 + 1e-5) * 3), org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void batchNormTrainingUsesBatchStatsAndUpdatesRunningStats() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      BatchNorm2d bn = BatchNorm2d.builder().setChannels(1).build();
      bn.initialize(m, DataType.FLOAT32, new Shape(1, 1, 2, 2));
      NDArray x = m.create(new float[] {1, 2, 3, 6}, new Shape(1, 1, 2, 2));
      float[] y = bn.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow().toFloatArray();
      // batch mean 3, biased variance 3.5, unbiased 14/3
      assertThat(y[3]).isCloseTo((float) (3 / Math.sqrt(3.5 + 1e-5)), org.assertj.core.data.Offset.offset(1e-5f));
      var p = TorchNames.parameters(bn);
      assertThat(p.get("running_mean").getArray().getFloat(0)).isCloseTo(0.3f, org.assertj.core.data.Offset.offset(1e-6f));
      assertThat(p.get("running_var").getArray().getFloat(0))
          .isCloseTo((float) (0.9 + 0.1 * 14 / 3.0), org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void batchNormTrainingGradientsEqualTheDefinitions() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      BatchNorm2d bn = BatchNorm2d.builder().setChannels(3).build();
      Shape shape = new Shape(2, 3, 5, 4);
      bn.initialize(m, DataType.FLOAT32, shape);
      var p = TorchNames.parameters(bn);
      p.get("weight").getArray().set(new float[] {0.5f, -1.5f, 2f});
      p.get("bias").getArray().set(new float[] {0.1f, 0.2f, -0.3f});
      NDArray x = m.randomNormal(0, 2, shape, DataType.FLOAT32).add(m.create(new float[] {1, -2, 3}, new Shape(1, 3, 1, 1)));
      NDArray upstream = m.randomNormal(shape);
      x.setRequiresGradient(true);
      float[] y;
      try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDArray out = bn.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
        y = out.toFloatArray();
        gc.backward(out.mul(upstream).sum());
      }
      float[] gx = x.getGradient().toFloatArray();
      float[] gw = p.get("weight").getArray().getGradient().toFloatArray();
      // the definition, written out: y = (x - mean) / sqrt(var + eps) * w + b, biased variance
      NDArray xd = x.stopGradient();
      xd.setRequiresGradient(true);
      NDArray w = m.create(new float[] {0.5f, -1.5f, 2f}, new Shape(1, 3, 1, 1));
      w.setRequiresGradient(true);
      float[] ref;
      try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDArray mean = xd.mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {0}, true);
        NDArray c = xd.sub(mean);
        NDArray var = c.square().mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {0}, true);
        NDArray out = c.mul(Scalars.pow(var.add(1e-5f), -0.5f)).mul(w)
            .add(m.create(new float[] {0.1f, 0.2f, -0.3f}, new Shape(1, 3, 1, 1)));
        ref = out.toFloatArray();
        gc.backward(out.mul(upstream).sum());
      }
      org.assertj.core.api.Assertions.assertThat(y).containsExactly(ref, org.assertj.core.data.Offset.offset(1e-4f));
      org.assertj.core.api.Assertions.assertThat(gx).containsExactly(xd.getGradient().toFloatArray(),
          org.assertj.core.data.Offset.offset(1e-4f));
      org.assertj.core.api.Assertions.assertThat(gw).containsExactly(w.getGradient().toFloatArray(),
          org.assertj.core.data.Offset.offset(1e-3f));
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> FrozenBatchNorm2d.builder().build()).hasMessageContaining("channels");
    assertThatThrownBy(() -> BatchNorm2d.builder().setChannels(2).optMomentum(0f).build()).hasMessageContaining("momentum");
    assertThatThrownBy(() -> MaxPool2d.builder().setKernel(2).optPadding(2).build()).hasMessageContaining("padding");
  }
}
