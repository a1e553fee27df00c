package dev.lowlight.api.conformance;

import ai.djl.ndarray.NDArray;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Whether an array of DJL's PyTorch engine is dense (contiguous {@code N×C×H×W}), asked of the
 * engine itself. DJL's API has no such query; the engine's JNI has one ({@code torchIsContiguous}),
 * reached here by reflection because the kit only checks, it never changes what it finds.
 */
final class EngineLayout {

  private static final Method IS_CONTIGUOUS;
  private static final Object LIB;
  private static final Method HANDLE;

  static {
    try {
      Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
      Field f = lib.getDeclaredField("LIB");
      f.setAccessible(true);
      LIB = f.get(null);
      IS_CONTIGUOUS = lib.getDeclaredMethod("torchIsContiguous", long.class);
      IS_CONTIGUOUS.setAccessible(true);
      HANDLE = Class.forName("ai.djl.pytorch.engine.PtNDArray").getMethod("getHandle");
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError("the conformance kit needs DJL's PyTorch engine on the test classpath: "
          + e);
    }
  }

  private EngineLayout() {}

  /** Whether {@code x} is contiguous in the engine's row-major order. */
  static boolean isDense(NDArray x) {
    try {
      return (Boolean) IS_CONTIGUOUS.invoke(LIB, (Long) HANDLE.invoke(x));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot ask DJL's PyTorch engine for the layout of " + x.getShape(), e);
    }
  }
}
