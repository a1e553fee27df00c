package dev.lowlight.api.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lowlight.api.testing.ScalarOperandAudit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class ScalarsTest {

  /**
   * The backward pass runs after the scalar's Java-side handle is gone and the collector has run
   * with fresh direct buffers filling freed memory: the gradient must still be the analytic one.
   */
  @Test
  void gradientsReadTheScalarCorrectlyAfterAGarbageCollection() {
    check(Scalars::mul, 2f, 3f, 3f);
    check(Scalars::div, 2f, 4f, 0.25f);
    check(Scalars::pow, 2f, 3f, 12f);
    check(Scalars::maximum, 2f, 1f, 1f);
    check(Scalars::minimum, 2f, 5f, 1f);
  }

  private static void check(BiFunction<NDArray, Float, NDArray> op, float x0, float c, float expectedGradient) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(new float[] {x0, x0, x0, x0});
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y;
        try (NDManager scope = manager.newSubManager()) {
          y = op.apply(x, c).sum();
          y.attach(manager);
        }
        churn();
        gc.backward(y);
      }
      for (float g : x.getGradient().toFloatArray()) {
        assertThat(g).isCloseTo(expectedGradient, within(1e-6f));
      }
    }
  }

  /** Frees what can be freed and refills small native allocations with a pattern that is not a small float. */
  private static void churn() {
    System.gc();
    List<ByteBuffer> garbage = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(4);
      b.putInt(0, 0x7F7F7F7F);
      garbage.add(b);
    }
    assertThat(garbage).hasSize(10_000);
  }

  @Test
  void theAuditFindsANumberOperandAndPassesScalars() throws Exception {
    assertThat(ScalarOperandAudit.offending(classBytes(Offender.class))).containsExactly("div", "mul");
    assertThat(ScalarOperandAudit.offending(classBytes(Scalars.class))).isEmpty();
  }

  @Test
  void theSdkApiHoldsNoNumberOperand() throws Exception {
    assertThat(ScalarOperandAudit.scan(ScalarOperandAudit.codeSource(Scalars.class))).isEmpty();
  }

  private static byte[] classBytes(Class<?> type) throws Exception {
    try (var in = type.getResourceAsStream(type.getName().substring(type.getPackageName().length() + 1) + ".class")) {
      return in.readAllBytes();
    }
  }

  /** Calls that the audit must report. */
  static final class Offender {
    static NDArray scale(NDArray x) {
      return x.mul(2f).div(3);
    }
  }
}
