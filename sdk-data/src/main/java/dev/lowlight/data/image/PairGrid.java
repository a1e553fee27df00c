package dev.lowlight.data.image;

import dev.lowlight.api.structures.RgbImage;
import java.nio.file.Path;
import java.util.List;

/**
 * A picture of clean/dark pairs for eyeballing synthesis: one row per pair, the clean image on the
 * left and its dark twin on the right, on a grey canvas with a small gap.
 *
 * <pre>{@code
 * PairGrid.write(cleanImages, darkImages, Path.of("pairs.png"));
 * }</pre>
 */
public final class PairGrid {

  private static final int GAP = 6;
  private static final float CANVAS = 0.5f;

  private PairGrid() {}

  /** The grid as an image; the lists must be non-empty and of equal length. */
  public static RgbImage render(List<RgbImage> clean, List<RgbImage> dark) {
    if (clean.isEmpty() || clean.size() != dark.size()) {
      throw new IllegalArgumentException("need the same non-zero number of clean and dark images, got "
          + clean.size() + " and " + dark.size());
    }
    int cellW = 1;
    int cellH = 1;
    for (int i = 0; i < clean.size(); i++) {
      cellW = Math.max(cellW, Math.max(clean.get(i).width(), dark.get(i).width()));
      cellH = Math.max(cellH, Math.max(clean.get(i).height(), dark.get(i).height()));
    }
    int w = 2 * cellW + 3 * GAP;
    int h = clean.size() * (cellH + GAP) + GAP;
    float[] px = new float[w * h * 3];
    java.util.Arrays.fill(px, CANVAS);
    for (int i = 0; i < clean.size(); i++) {
      int top = GAP + i * (cellH + GAP);
      blit(clean.get(i), px, w, GAP, top);
      blit(dark.get(i), px, w, 2 * GAP + cellW, top);
    }
    return new RgbImage(w, h, px);
  }

  /** Renders the grid and writes it as PNG. */
  public static void write(List<RgbImage> clean, List<RgbImage> dark, Path png) {
    ImageFiles.write(render(clean, dark), png);
  }

  private static void blit(RgbImage src, float[] dst, int dstW, int left, int top) {
    for (int y = 0; y < src.height(); y++) {
      System.arraycopy(src.pixels(), y * src.width() * 3, dst, ((top + y) * dstW + left) * 3, src.width() * 3);
    }
  }
}
