package dev.lowlight.heads.roi;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.lowlight.api.nn.Layouts;

/**
 * Channels-last host copies of feature maps ({@code [N·H·W, C]} per level), made once per forward
 * pass and shared by every RoIAlign of that pass (the box and the mask pooling read the same
 * levels).
 */
public final class HostLevels {

  private final NDList levels;
  private final float[][] tables;

  /** Copies of {@code levels} ({@code [N, C, H, W]} each), made when first read. */
  public HostLevels(NDList levels) {
    this.levels = levels;
    this.tables = new float[levels.size()][];
  }

  /** The feature maps. */
  public NDList levels() {
    return levels;
  }

  /** Level {@code l} as {@code [N·H·W, C]}. */
  synchronized float[] table(int l) {
    if (tables[l] == null) {
      tables[l] = Layouts.dense(levels.get(l).transpose(0, 2, 3, 1)).toFloatArray();
    }
    return tables[l];
  }

  /** Shape {@code [N, C, H, W]} of level {@code l}. */
  Shape shape(int l) {
    return levels.get(l).getShape();
  }

  /** Whether the maps are on the host's CPU, where the Java kernel pools them. */
  public boolean onCpu() {
    return !levels.isEmpty() && !levels.get(0).getDevice().isGpu();
  }

}
