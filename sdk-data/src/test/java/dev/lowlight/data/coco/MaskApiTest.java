package dev.lowlight.data.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Properties of the mask API checked against plain pixel arithmetic on decoded masks. */
class MaskApiTest {

  /** A random mask with blobs of runs, so that merges and IoUs are not trivial. */
  record Mask(int h, int w, byte[] pixels) {}

  @Provide
  Arbitrary<Mask> masks() {
    return Combinators.combine(Arbitraries.integers().between(1, 12),
        Arbitraries.integers().between(1, 12), Arbitraries.longs()).as((h, w, seed) -> {
          java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
          byte[] p = new byte[h * w];
          byte v = (byte) r.nextInt(2);
          for (int i = 0; i < p.length; i++) {
            if (r.nextInt(4) == 0) {
              v = (byte) (1 - v);
            }
            p[i] = v;
          }
          return new Mask(h, w, p);
        });
  }

  static Mask sameSize(Mask m, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    byte[] p = new byte[m.pixels.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) (r.nextInt(3) == 0 ? 1 : 0);
    }
    return new Mask(m.h, m.w, p);
  }

  @Property(tries = 300)
  void encodeDecodeAndStringsRoundTrip(@ForAll("masks") Mask m) {
    Rle rle = MaskApi.encode(m.pixels, m.h, m.w);
    assertThat(MaskApi.decode(rle)).containsExactly(m.pixels);
    assertThat(MaskApi.fromCompressedString(MaskApi.toCompressedString(rle), m.h, m.w))
        .isEqualTo(rle);
    long set = 0;
    int x0 = m.w;
    int y0 = m.h;
    int x1 = -1;
    int y1 = -1;
    for (int i = 0; i < m.pixels.length; i++) {
      if (m.pixels[i] != 0) {
        set++;
        int x = i / m.h;
        int y = i % m.h;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
    assertThat(MaskApi.area(rle)).isEqualTo(set);
    double[] box = set == 0 ? new double[4] : new double[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    assertThat(MaskApi.toBbox(rle)).containsExactly(box);
  }

  @Property(tries = 300)
  void mergeAndIouAgreeWithPixels(@ForAll("masks") Mask a, @ForAll long seed,
      @ForAll boolean crowd) {
    Mask b = sameSize(a, seed);
    Rle ra = MaskApi.encode(a.pixels, a.h, a.w);
    Rle rb = MaskApi.encode(b.pixels, b.h, b.w);
    byte[] or = new byte[a.pixels.length];
    byte[] and = new byte[a.pixels.length];
    long inter = 0;
    long union = 0;
    long areaA = 0;
    for (int i = 0; i < or.length; i++) {
      or[i] = (byte) (a.pixels[i] | b.pixels[i]);
      and[i] = (byte) (a.pixels[i] & b.pixels[i]);
      inter += and[i];
      union += or[i];
      areaA += a.pixels[i];
    }
    assertThat(MaskApi.merge(List.of(ra, rb), false)).isEqualTo(MaskApi.encode(or, a.h, a.w));
    assertThat(MaskApi.merge(List.of(ra, rb), true)).isEqualTo(MaskApi.encode(and, a.h, a.w));
    double want = inter == 0 ? 0 : (double) inter / (crowd ? areaA : union);
    assertThat(MaskApi.rleIou(ra, rb, crowd)).isEqualTo(want);
  }

  @Test
  void boxIouFollowsTheCrowdRuleWithoutPlusOne() {
    double[][] dt = {{0, 0, 10, 10}};
    double[][] gt = {{5, 0, 10, 10}, {5, 0, 10, 10}, {10, 0, 5, 5}};
    double[][] o = MaskApi.boxIou(dt, gt, new boolean[] {false, true, false});
    assertThat(o[0]).containsExactly(50.0 / 150, 50.0 / 100, 0.0);
  }

  @Test
  void rejectsBadPolygonsAndSizes() {
    assertThatThrownBy(() -> MaskApi.fromPolygon(new double[] {0, 0, 1e9, 0, 1, 1}, 10, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond");
    assertThatThrownBy(() -> MaskApi.fromPolygon(new double[] {0, 0, Double.NaN, 0, 1, 1}, 10,
        10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MaskApi.fromPolygon(new double[] {0, 0, 1e8, 1e8, 0, 1e8}, 10, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boundary");
    assertThatThrownBy(() -> new Rle(100000, 100000, new int[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
    assertThatThrownBy(() -> MaskApi.merge(List.of(new Rle(1, 2, new int[] {2}),
        new Rle(2, 1, new int[] {2})), false)).isInstanceOf(IllegalArgumentException.class);
    assertThat(MaskApi.rleIou(new Rle(1, 2, new int[] {0, 2}), new Rle(2, 1, new int[] {0, 2}),
        false)).isEqualTo(-1);
  }

  @Test
  void fourNumberPartsAreBoxesAsInPycocotools() {
    Rle box = MaskApi.toRle(new Segmentation.Polygons(List.of(new double[] {1, 1, 3, 2})), 6, 6);
    assertThat(box).isEqualTo(MaskApi.fromBbox(new double[] {1, 1, 3, 2}, 6, 6));
    assertThat(MaskApi.area(box)).isEqualTo(6);
  }
}
