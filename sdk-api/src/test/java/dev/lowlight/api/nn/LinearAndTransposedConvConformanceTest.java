package dev.lowlight.api.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Device;
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

class LinearAndTransposedConvConformanceTest {

  @TestFactory
  Stream<DynamicTest> linearConforms() {
    return ConformanceKit.forBlock("linear", () -> Linear.builder().setInFeatures(12).setOutFeatures(5).build(), null)
        .inputs(new Shape(3, 12)).inputs(new Shape(1, 12)).inputs(new Shape(2, 4, 12)).tests();
  }

  @TestFactory
  Stream<DynamicTest> transposedConvK2S2Conforms() {
    return ConformanceKit.forBlock("convT-k2s2", () -> ConvTranspose2d.builder().setInChannels(4).setOutChannels(3)
            .setKernel(2).optStride(2).build(), null)
        .inputs(new Shape(1, 4, 7, 7)).inputs(new Shape(3, 4, 5, 9)).tests();
  }

  @TestFactory
  Stream<DynamicTest> transposedConvK3S2P1Conforms() {
    return ConformanceKit.forBlock("convT-k3s2p1", () -> ConvTranspose2d.builder().setInChannels(2).setOutChannels(3)
            .setKernel(3).optStride(2).optPadding(1).optBias(false).build(), null)
        .inputs(new Shape(2, 2, 6, 5)).tests();
  }

  @Test
  void linearUsesTorchLayout() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Linear fc = Linear.builder().setInFeatures(2).setOutFeatures(3).build();
      fc.initialize(m, DataType.FLOAT32, new Shape(1, 2));
      var p = TorchNames.parameters(fc);
      assertThat(p.keySet()).containsExactly("weight", "bias");
      assertThat(p.get("weight").getArray().getShape()).isEqualTo(new Shape(3, 2));
      p.get("weight").getArray().set(new float[] {1, 2, 3, 4, 5, 6});
      p.get("bias").getArray().set(new float[] {0.5f, -1, 0});
      float[] y = fc.forward(new ParameterStore(m, false), new NDList(m.create(new float[] {1, -1}, new Shape(1, 2))),
          false).singletonOrThrow().toFloatArray();
      assertThat(y).containsExactly(-0.5f, -2f, -1f);
    }
  }

  @Test
  void transposedConvScattersEachPixelIntoAKernelPatch() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      ConvTranspose2d up = ConvTranspose2d.builder().setInChannels(1).setOutChannels(1).setKernel(2).optStride(2)
          .build();
      up.initialize(m, DataType.FLOAT32, new Shape(1, 1, 1, 2));
      var p = TorchNames.parameters(up);
      assertThat(p.get("weight").getArray().getShape()).isEqualTo(new Shape(1, 1, 2, 2));
      p.get("weight").getArray().set(new float[] {1, 2, 3, 4});
      p.get("bias").getArray().set(new float[] {0.25f});
      float[] y = up.forward(new ParameterStore(m, false),
          new NDList(m.create(new float[] {1, 10}, new Shape(1, 1, 1, 2))), false).singletonOrThrow().toFloatArray();
      // output 2x4: each input pixel v writes v*[[1,2],[3,4]] into its own 2x2 patch
      float[] expected = {1.25f, 2.25f, 10.25f, 20.25f, 3.25f, 4.25f, 30.25f, 40.25f};
      for (int i = 0; i < expected.length; i++) {
        assertThat(y[i]).isCloseTo(expected[i], offset(1e-5f));
      }
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> Linear.builder().setInFeatures(3).build()).hasMessageContaining("outFeatures");
    assertThatThrownBy(() -> ConvTranspose2d.builder().setInChannels(1).setOutChannels(1).setKernel(2).optPadding(2)
        .build()).hasMessageContaining("padding");
  }
}
