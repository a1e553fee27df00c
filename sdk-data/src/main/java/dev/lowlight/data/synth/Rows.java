package dev.lowlight.data.synth;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Runs a per-row kernel over an image, in parallel for images large enough to benefit. */
final class Rows {

  /** Below this many pixels the fork/join overhead outweighs the gain. */
  private static final int PARALLEL_MIN_PIXELS = 32 * 1024;

  private Rows() {}

  /**
   * Calls {@code row} once for each row in {@code [0, height)}. Kernels must draw their random
   * numbers from a generator derived from the row index, so the result does not depend on the
   * order or the thread count.
   */
  static void forEach(int width, int height, IntConsumer row) {
    if ((long) width * height < PARALLEL_MIN_PIXELS || height < 2) {
      for (int y = 0; y < height; y++) {
        row.accept(y);
      }
    } else {
      IntStream.range(0, height).parallel().forEach(row);
    }
  }
}
