package dev.lowlight.train.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.Initializer;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

  @Test
  void zeroClearsNonFiniteGradients() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter p = Parameter.builder().setName("w").optShape(new Shape(4)).optInitializer(Initializer.ONES).build();
      p.initialize(manager, DataType.FLOAT32);
      List<TrainableParameter> trainable = List.of(new TrainableParameter("w", p));
      p.getArray().setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray scale = manager.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1f, 2f});
        gc.backward(p.getArray().mul(scale).sum());
      }
      assertThat(p.getArray().getGradient().toFloatArray()).containsExactly(Float.NaN, Float.POSITIVE_INFINITY, 1f, 2f);

      GradientClipping.zero(trainable, manager);

      assertThat(p.getArray().getGradient().toFloatArray()).containsExactly(0f, 0f, 0f, 0f);
    }
  }
}
