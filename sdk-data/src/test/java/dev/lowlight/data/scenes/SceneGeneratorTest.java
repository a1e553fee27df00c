package dev.lowlight.data.scenes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.structures.RgbImage;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SceneGeneratorTest {

  private static final SceneGenerator DEFAULT = SceneGenerator.builder().build();

  @Test
  void categoriesAreFixed() {
    assertThat(SceneGenerator.CATEGORIES).extracting(Category::id).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(SceneGenerator.CATEGORIES).extracting(Category::name)
        .containsExactly("disc", "ring", "rectangle", "triangle", "star", "ellipse", "cross");
  }

  @Test
  void sameSeedSameBytesDifferentSeedDifferent() {
    Scene a = DEFAULT.generate(17);
    Scene b = DEFAULT.generate(17);
    Scene c = DEFAULT.generate(18);
    assertThat(Arrays.equals(a.image().pixels(), b.image().pixels())).isTrue();
    assertThat(a.objects()).hasSameSizeAs(b.objects());
    for (int i = 0; i < a.objects().size(); i++) {
      assertThat(Arrays.equals(a.objects().get(i).mask(), b.objects().get(i).mask())).isTrue();
      assertThat(a.objects().get(i).bbox()).containsExactly(b.objects().get(i).bbox());
      assertThat(a.objects().get(i).categoryId()).isEqualTo(b.objects().get(i).categoryId());
    }
    assertThat(Arrays.equals(a.image().pixels(), c.image().pixels())).isFalse();
    assertThat(a.image().width()).isEqualTo(320);
    assertThat(a.image().height()).isEqualTo(240);
  }

  @Test
  void masksAreExactlyTheVisiblePixelsAfterOcclusion() {
    SceneGenerator gen = SceneGenerator.builder().optMinObjects(6).optMaxObjects(14).build();
    for (long seed = 0; seed < 12; seed++) {
      SceneGenerator.Rendering r = gen.render(seed, true);
      int w = gen.width();
      int h = gen.height();
      // Rasterise each shape on its own: what remains visible is what no later shape covers.
      List<Shape> shapes = r.shapes();
      boolean[][] raster = new boolean[shapes.size()][w * h];
      for (int i = 0; i < shapes.size(); i++) {
        boolean[] m = raster[i];
        shapes.get(i).rasterise(w, h, (x, y) -> m[y * w + x] = true);
      }
      boolean[] covered = new boolean[w * h];
      for (int i = shapes.size() - 1; i >= 0; i--) {
        boolean[] visible = new boolean[w * h];
        int area = 0;
        for (int p = 0; p < w * h; p++) {
          visible[p] = raster[i][p] && !covered[p];
          area += visible[p] ? 1 : 0;
          covered[p] |= raster[i][p];
        }
        int idx = r.objectIndex()[i];
        if (idx < 0) {
          assertThat(area).as("dropped object %d of seed %d", i, seed).isLessThan(12);
          continue;
        }
        SceneObject o = r.scene().objects().get(idx);
        assertThat(Arrays.equals(o.mask(), visible)).as("mask of object %d, seed %d", i, seed).isTrue();
        assertThat(o.area()).isEqualTo(area).isGreaterThanOrEqualTo(12);
        assertThat(o.categoryId()).isEqualTo(shapes.get(i).categoryId());
      }
      // Every pixel outside all masks shows the background, even where a dropped fragment was.
      float[] px = r.scene().image().pixels();
      boolean[] anyMask = new boolean[w * h];
      for (SceneObject o : r.scene().objects()) {
        for (int p = 0; p < w * h; p++) {
          assertThat(anyMask[p] && o.mask()[p]).isFalse(); // disjoint
          anyMask[p] |= o.mask()[p];
        }
      }
      for (int p = 0; p < w * h; p++) {
        if (!anyMask[p]) {
          for (int c = 0; c < 3; c++) {
            assertThat(px[p * 3 + c]).isEqualTo(r.litBackground()[p * 3 + c]);
          }
        }
      }
    }
  }

  @Test
  void boxesAreTightAroundMasks() {
    for (long seed = 0; seed < 10; seed++) {
      for (SceneObject o : DEFAULT.generate(seed).objects()) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        int area = 0;
        for (int y = 0; y < o.height(); y++) {
          for (int x = 0; x < o.width(); x++) {
            if (o.contains(y, x)) {
              x0 = Math.min(x0, x);
              y0 = Math.min(y0, y);
              x1 = Math.max(x1, x);
              y1 = Math.max(y1, y);
              area++;
            }
          }
        }
        assertThat(o.bbox()).containsExactly(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
        assertThat(o.area()).isEqualTo(area);
      }
    }
  }

  @Test
  void imagesAreEightBitAndVaried() {
    Set<Integer> categories = new HashSet<>();
    int small = 0;
    int large = 0;
    int occludedScenes = 0;
    double minMean = 1;
    double maxMean = 0;
    for (long seed = 0; seed < 40; seed++) {
      SceneGenerator.Rendering r = DEFAULT.render(seed, false);
      Scene s = r.scene();
      int off = 0;
      for (float v : s.image().pixels()) {
        off += (v >= 0 && v <= 1 && v == (float) (Math.round(v * 255.0) / 255.0)) ? 0 : 1;
      }
      assertThat(off).as("values that are not k/255").isZero();
      for (SceneObject o : s.objects()) {
        categories.add(o.categoryId());
        int side = Math.max(o.bbox()[2], o.bbox()[3]);
        small += side <= 12 ? 1 : 0;
        large += side >= 90 ? 1 : 0;
      }
      if (Arrays.stream(r.objectIndex()).anyMatch(i -> i < 0)) {
        occludedScenes++;
      }
      double mean = 0;
      for (float v : s.image().pixels()) {
        mean += v;
      }
      mean /= s.image().pixels().length;
      minMean = Math.min(minMean, mean);
      maxMean = Math.max(maxMean, mean);
    }
    assertThat(categories).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7);
    assertThat(small).isGreaterThan(5);
    assertThat(large).isGreaterThan(2);
    assertThat(occludedScenes).isGreaterThan(0);
    assertThat(maxMean - minMean).isGreaterThan(0.2);
  }

  @Test
  void ringsHaveHolesAndShapesAreConnected() {
    SceneGenerator gen = SceneGenerator.builder().optMinObjects(1).optMaxObjects(1)
        .optMinObjectSize(30).optMaxObjectSize(80).build();
    int rings = 0;
    int checked = 0;
    for (long seed = 0; seed < 60; seed++) {
      Scene s = gen.generate(seed);
      if (s.objects().isEmpty()) {
        continue;
      }
      SceneObject o = s.objects().get(0);
      int[] b = o.bbox();
      boolean inside = b[0] > 0 && b[1] > 0 && b[0] + b[2] < o.width() && b[1] + b[3] < o.height();
      if (!inside) {
        continue; // cut by the border: topology may change
      }
      checked++;
      assertThat(components(o, true)).as("object of seed %d is one piece", seed).isEqualTo(1);
      int holes = components(o, false) - 1; // background components within the padded box, minus the outside
      if (o.categoryId() == 2) {
        rings++;
        assertThat(holes).as("ring of seed %d", seed).isEqualTo(1);
      } else {
        assertThat(holes).as("category %d of seed %d", o.categoryId(), seed).isZero();
      }
    }
    assertThat(checked).isGreaterThan(10);
    assertThat(rings).isGreaterThan(0);
  }

  /** Connected components of the mask (or of its complement within the box padded by one). */
  private static int components(SceneObject o, boolean foreground) {
    int[] b = o.bbox();
    int x0 = b[0] - 1;
    int y0 = b[1] - 1;
    int bw = b[2] + 2;
    int bh = b[3] + 2;
    boolean[] seen = new boolean[bw * bh];
    int count = 0;
    for (int start = 0; start < bw * bh; start++) {
      if (seen[start] || o.contains(y0 + start / bw, x0 + start % bw) != foreground) {
        continue;
      }
      count++;
      ArrayDeque<Integer> queue = new ArrayDeque<>();
      queue.add(start);
      seen[start] = true;
      while (!queue.isEmpty()) {
        int p = queue.poll();
        int px = p % bw;
        int py = p / bw;
        // 8-connected objects with a 4-connected background, the usual dual pair that keeps
        // diagonal star tips in one piece without letting the background leak through them.
        int[][] nb = foreground
            ? new int[][] {{px - 1, py}, {px + 1, py}, {px, py - 1}, {px, py + 1},
                {px - 1, py - 1}, {px + 1, py - 1}, {px - 1, py + 1}, {px + 1, py + 1}}
            : new int[][] {{px - 1, py}, {px + 1, py}, {px, py - 1}, {px, py + 1}};
        for (int[] q : nb) {
          if (q[0] < 0 || q[1] < 0 || q[0] >= bw || q[1] >= bh) {
            continue;
          }
          int qi = q[1] * bw + q[0];
          if (!seen[qi] && o.contains(y0 + q[1], x0 + q[0]) == foreground) {
            seen[qi] = true;
            queue.add(qi);
          }
        }
      }
    }
    return count;
  }

  @Test
  void tinyAndOddSizesWork() {
    for (int[] size : new int[][] {{1, 1}, {7, 3}, {33, 17}, {1, 50}}) {
      Scene s = SceneGenerator.builder().optWidth(size[0]).optHeight(size[1]).optMinVisibleArea(1).build().generate(3);
      RgbImage img = s.image();
      assertThat(img.width()).isEqualTo(size[0]);
      assertThat(img.height()).isEqualTo(size[1]);
      for (SceneObject o : s.objects()) {
        assertThat(o.area()).isPositive();
      }
    }
  }

  @Test
  void builderRejectsBadSettingsByName() {
    assertThatThrownBy(() -> SceneGenerator.builder().optWidth(0).build()).hasMessageContaining("width");
    assertThatThrownBy(() -> SceneGenerator.builder().optMinObjects(5).optMaxObjects(2).build())
        .hasMessageContaining("maxObjects");
    assertThatThrownBy(() -> SceneGenerator.builder().optMinObjectSize(1).build()).hasMessageContaining("minObjectSize");
    assertThatThrownBy(() -> SceneGenerator.builder().optMaxObjectSize(4).build()).hasMessageContaining("maxObjectSize");
  }
}
