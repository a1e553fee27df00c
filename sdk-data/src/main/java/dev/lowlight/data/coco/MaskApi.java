package dev.lowlight.data.coco;

import java.util.Arrays;
import java.util.List;

/**
 * The COCO mask API with pycocotools' exact semantics ({@code pycocotools._mask}, built on
 * {@code maskApi.c}): polygon rasterisation, run-length encoding of column-major binary masks,
 * the compressed count strings of COCO files, area, bounding boxes, IoU with the crowd rule and
 * merging. Results agree with pycocotools bit for bit, which COCO evaluation needs: a one-pixel
 * difference in a rasterised polygon moves an IoU across a threshold.
 *
 * <pre>{@code
 * Rle rle = MaskApi.fromPolygon(new double[] {10, 10, 50, 10, 50, 40}, 120, 160);
 * String counts = MaskApi.toCompressedString(rle);   // as in a COCO results file
 * double[] xywh = MaskApi.toBbox(rle);
 * }</pre>
 *
 * <p>Where pycocotools trusts its input, this class checks it: decoded strings must be well formed
 * and add up to the mask size ({@link CocoFormatException} otherwise), and polygons must have
 * finite coordinates and a boundary short enough to walk ({@link IllegalArgumentException}).
 */
public final class MaskApi {

  /** The rasteriser's upsampling factor: edges are walked on a 5x finer grid. */
  private static final double SCALE = 5;

  /** Polygon coordinates beyond this magnitude would overflow the upsampled integer grid. */
  public static final double MAX_POLYGON_COORDINATE = 1e8;

  /**
   * The most upsampled boundary points a polygon may have; walking them takes about a second. A
   * real polygon on a 10,000-pixel image has well under a million.
   */
  public static final long MAX_POLYGON_STEPS = 1L << 27;

  /** The largest mask {@link #decode(Rle)} allocates. */
  public static final long MAX_DECODE_PIXELS = 1L << 30;

  private MaskApi() {}

  // ---------------------------------------------------------------- encode / decode

  /**
   * Run-length encodes a binary mask.
   *
   * @param mask {@code height * width} values in column-major order; non-zero means set
   * @param height mask height
   * @param width mask width
   * @return the runs, zeros first
   */
  public static Rle encode(byte[] mask, int height, int width) {
    Rle.checkSize(height, width);
    int a = height * width;
    if (mask.length != a) {
      throw new IllegalArgumentException("mask has " + mask.length + " values, size [" + height
          + ", " + width + "] needs " + a);
    }
    IntList cnts = new IntList(16);
    boolean prev = false;
    int c = 0;
    for (int j = 0; j < a; j++) {
      boolean v = mask[j] != 0;
      if (v != prev) {
        cnts.add(c);
        c = 0;
        prev = v;
      }
      c++;
    }
    cnts.add(c);
    return new Rle(height, width, cnts.toArray());
  }

  /**
   * Decodes runs into a column-major mask of 0/1 bytes.
   *
   * @param rle the runs
   * @return {@code height * width} bytes
   * @throws IllegalArgumentException when the mask exceeds {@link #MAX_DECODE_PIXELS}
   */
  public static byte[] decode(Rle rle) {
    long n = (long) rle.height() * rle.width();
    if (n > MAX_DECODE_PIXELS) {
      throw new IllegalArgumentException("mask of " + n + " pixels is too large to decode");
    }
    // a mask costs a byte per pixel: the images' budget applies before anything is allocated
    dev.lowlight.data.image.ImageLimits.checkPixels(rle.height(), rle.width(), "a mask");
    byte[] m = new byte[(int) n];
    int p = 0;
    byte v = 0;
    for (int c : rle.counts()) {
      if (v != 0) {
        Arrays.fill(m, p, p + c, (byte) 1);
      }
      p += c;
      v = (byte) (1 - v);
    }
    return m;
  }

  // ---------------------------------------------------------------- compressed strings

  /**
   * Encodes runs as a COCO compressed count string: each count (from the fourth on, its difference
   * to the count two before) is written in 5-bit groups, least significant first, each group as
   * the character {@code 48 + group} with bit 0x20 set when more groups follow, the last group's
   * bit 0x10 carrying the sign.
   *
   * @param rle the runs
   * @return the string, as pycocotools writes it
   */
  public static String toCompressedString(Rle rle) {
    int[] cnts = rle.counts();
    StringBuilder sb = new StringBuilder(cnts.length * 2);
    for (int i = 0; i < cnts.length; i++) {
      long x = cnts[i];
      if (i > 2) {
        x -= cnts[i - 2];
      }
      boolean more = true;
      while (more) {
        int c = (int) (x & 0x1f);
        x >>= 5;
        more = (c & 0x10) != 0 ? x != -1 : x != 0;
        if (more) {
          c |= 0x20;
        }
        sb.append((char) (c + 48));
      }
    }
    return sb.toString();
  }

  /**
   * Decodes a COCO compressed count string.
   *
   * @param counts the string
   * @param height mask height
   * @param width mask width
   * @return the runs
   * @throws CocoFormatException when a character is outside {@code '0'..'o'}, a value is cut off
   *     or too long, a count is negative, or the counts do not add up to {@code height * width}
   */
  public static Rle fromCompressedString(String counts, int height, int width) {
    try {
      Rle.checkSize(height, width);
    } catch (IllegalArgumentException e) {
      throw new CocoFormatException(null, "size", e.getMessage());
    }
    long total = (long) height * width;
    int len = counts.length();
    // Every count takes at least one character, so the string length bounds the allocation.
    int[] cnts = new int[len];
    int m = 0;
    int p = 0;
    long sum = 0;
    while (p < len) {
      int start = p;
      long x = 0;
      int k = 0;
      boolean more = true;
      while (more) {
        if (p >= len) {
          throw new CocoFormatException(null, "counts",
              "value starting at character " + start + " is cut off at the end of the string");
        }
        if (k >= 7) {
          // Seven groups hold 35 bits; a count of an int-sized mask never needs more.
          throw new CocoFormatException(null, "counts",
              "value starting at character " + start + " is longer than 7 characters");
        }
        int c = counts.charAt(p) - 48;
        if (c < 0 || c > 63) {
          throw new CocoFormatException(null, "counts", "character '" + counts.charAt(p)
              + "' at " + p + " is outside the count alphabet '0'..'o'");
        }
        x |= (long) (c & 0x1f) << (5 * k);
        more = (c & 0x20) != 0;
        p++;
        k++;
        if (!more && (c & 0x10) != 0) {
          x |= -1L << (5 * k);
        }
      }
      if (m > 2) {
        x += cnts[m - 2];
      }
      if (x < 0 || x > total) {
        throw new CocoFormatException(null, "counts", "run " + m + " (characters " + start + ".."
            + (p - 1) + ") decodes to " + x + ", outside 0.." + total);
      }
      cnts[m++] = (int) x;
      sum += x;
      if (sum > total) {
        throw new CocoFormatException(null, "counts", "runs up to " + (m - 1) + " add up to "
            + sum + ", more than the " + total + " pixels of size [" + height + ", " + width
            + "]");
      }
    }
    if (sum != total) {
      throw new CocoFormatException(null, "counts", "runs add up to " + sum + " but size ["
          + height + ", " + width + "] has " + total + " pixels");
    }
    return new Rle(height, width, Arrays.copyOf(cnts, m));
  }

  // ---------------------------------------------------------------- measures

  /**
   * The number of set pixels.
   *
   * @param rle the runs
   * @return the sum of the odd-indexed runs
   */
  public static long area(Rle rle) {
    int[] c = rle.counts();
    long a = 0;
    for (int i = 1; i < c.length; i += 2) {
      a += c[i];
    }
    return a;
  }

  /**
   * The tight box around the set pixels, {@code [x, y, w, h]}; all zeros for an empty mask.
   *
   * <p>Like pycocotools, a mask whose runs of ones span more than one column gets the full height,
   * and a trailing run of zeros is not looked at.
   *
   * @param rle the runs
   * @return the box, xywh
   */
  public static double[] toBbox(Rle rle) {
    long h = rle.height();
    int[] c = rle.counts();
    int m = (c.length / 2) * 2;
    if (m == 0 || h == 0 || rle.width() == 0) {
      return new double[4];
    }
    long xs = rle.width();
    long ys = h;
    long xe = 0;
    long ye = 0;
    long cc = 0;
    long xp = 0;
    for (int j = 0; j < m; j++) {
      cc += c[j];
      long t = cc - (j % 2);
      long y = Math.floorMod(t, h);
      long x = (t - y) / h;
      if (j % 2 == 0) {
        xp = x;
      } else if (xp < x) {
        ys = 0;
        ye = h - 1;
      }
      xs = Math.min(xs, x);
      xe = Math.max(xe, x);
      ys = Math.min(ys, y);
      ye = Math.max(ye, y);
    }
    return new double[] {xs, ys, xe - xs + 1, ye - ys + 1};
  }

  // ---------------------------------------------------------------- polygons and boxes

  /**
   * Rasterises a polygon as pycocotools' {@code rleFrPoly} does: vertices are scaled by 5 and
   * rounded, every edge is walked one step at a time along its longer axis, and each crossing of a
   * pixel-centre column contributes the first row below the edge; sorting those positions gives
   * the runs.
   *
   * @param xy {@code [x0, y0, x1, y1, ...]}, an even number of coordinates (the polygon closes
   *     itself)
   * @param height mask height
   * @param width mask width
   * @return the runs
   * @throws IllegalArgumentException for an odd length, a non-finite or huge coordinate, or a
   *     boundary longer than {@link #MAX_POLYGON_STEPS} upsampled points
   */
  public static Rle fromPolygon(double[] xy, int height, int width) {
    Rle.checkSize(height, width);
    if (xy.length % 2 != 0) {
      throw new IllegalArgumentException(
          "polygon needs an even number of coordinates, got " + xy.length);
    }
    int k = xy.length / 2;
    int[] x = new int[k + 1];
    int[] y = new int[k + 1];
    for (int j = 0; j < k; j++) {
      x[j] = upsample(xy[2 * j]);
      y[j] = upsample(xy[2 * j + 1]);
    }
    if (k > 0) {
      x[k] = x[0];
      y[k] = y[0];
    }
    long steps = 0;
    for (int j = 0; j < k; j++) {
      steps += Math.max(Math.abs((long) x[j] - x[j + 1]), Math.abs((long) y[j] - y[j + 1])) + 1;
    }
    if (steps > MAX_POLYGON_STEPS) {
      throw new IllegalArgumentException("polygon boundary has " + steps
          + " upsampled points, more than " + MAX_POLYGON_STEPS + "; are its coordinates pixels?");
    }
    // Walk the boundary point by point and keep only where the upsampled column changes, instead
    // of storing every point as maskApi.c does; the kept positions are identical.
    BoundaryCollector col = new BoundaryCollector(height, width);
    for (int j = 0; j < k; j++) {
      int xs = x[j];
      int xe = x[j + 1];
      int ys = y[j];
      int ye = y[j + 1];
      int dx = Math.abs(xe - xs);
      int dy = Math.abs(ys - ye);
      boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
      if (flip) {
        int t = xs;
        xs = xe;
        xe = t;
        t = ys;
        ys = ye;
        ye = t;
      }
      if (dx >= dy) {
        double s = (double) (ye - ys) / dx;
        for (int d = 0; d <= dx; d++) {
          int t = flip ? dx - d : d;
          col.point(t + xs, (int) (ys + s * t + .5));
        }
      } else {
        double s = (double) (xe - xs) / dy;
        for (int d = 0; d <= dy; d++) {
          int t = flip ? dy - d : d;
          col.point((int) (xs + s * t + .5), t + ys);
        }
      }
    }
    return col.toRle();
  }

  private static int upsample(double v) {
    if (!Double.isFinite(v) || Math.abs(v) > MAX_POLYGON_COORDINATE) {
      throw new IllegalArgumentException("polygon coordinate " + v + " is not finite or beyond "
          + MAX_POLYGON_COORDINATE);
    }
    return (int) (SCALE * v + .5);
  }

  /** Turns the walked boundary into sorted column-crossing positions, then into runs. */
  private static final class BoundaryCollector {
    private final int h;
    private final int w;
    private final IntList pos = new IntList(64);
    private boolean first = true;
    private int pu;
    private int pv;

    BoundaryCollector(int h, int w) {
      this.h = h;
      this.w = w;
    }

    void point(int u, int v) {
      if (!first && u != pu) {
        double xd = u < pu ? u : u - 1;
        xd = (xd + .5) / SCALE - .5;
        if (Math.floor(xd) == xd && xd >= 0 && xd <= w - 1) {
          double yd = v < pv ? v : pv;
          yd = (yd + .5) / SCALE - .5;
          if (yd < 0) {
            yd = 0;
          } else if (yd > h) {
            yd = h;
          }
          yd = Math.ceil(yd);
          pos.add((int) xd * h + (int) yd);
        }
      }
      first = false;
      pu = u;
      pv = v;
    }

    Rle toRle() {
      pos.add(h * w);
      int[] a = pos.toArray();
      Arrays.sort(a);
      int prev = 0;
      for (int j = 0; j < a.length; j++) {
        int t = a[j];
        a[j] -= prev;
        prev = t;
      }
      // Two crossings at one position cancel: a zero-length run joins its neighbours.
      int[] b = new int[a.length];
      int m = 0;
      int j = 0;
      b[m++] = a[j++];
      while (j < a.length) {
        if (a[j] > 0) {
          b[m++] = a[j++];
        } else {
          j++;
          if (j < a.length) {
            b[m - 1] += a[j++];
          }
        }
      }
      return new Rle(h, w, Arrays.copyOf(b, m));
    }
  }

  /**
   * Rasterises a box as pycocotools' {@code frBbox}: as the polygon through its four corners.
   *
   * @param xywh {@code [x, y, w, h]}
   * @param height mask height
   * @param width mask width
   * @return the runs
   */
  public static Rle fromBbox(double[] xywh, int height, int width) {
    if (xywh.length != 4) {
      throw new IllegalArgumentException("a box needs 4 values, got " + xywh.length);
    }
    double xs = xywh[0];
    double xe = xs + xywh[2];
    double ys = xywh[1];
    double ye = ys + xywh[3];
    return fromPolygon(new double[] {xs, ys, xs, ye, xe, ye, xe, ys}, height, width);
  }

  /**
   * Converts any COCO segmentation to runs as pycocotools' {@code COCO.annToRLE} does: polygons are
   * rasterised at the image size and merged (when the first part has exactly 4 numbers every part
   * is read as an xywh box, pycocotools' rule), RLEs keep their own size.
   *
   * @param segmentation the segmentation
   * @param height the image height
   * @param width the image width
   * @return the runs
   */
  public static Rle toRle(Segmentation segmentation, int height, int width) {
    if (segmentation instanceof Segmentation.Polygons p) {
      List<double[]> parts = p.polygons();
      if (parts.isEmpty()) {
        Rle.checkSize(height, width);
        return new Rle(height, width, new int[] {height * width});
      }
      boolean boxes = parts.get(0).length == 4;
      Rle[] rles = new Rle[parts.size()];
      for (int i = 0; i < rles.length; i++) {
        double[] part = parts.get(i);
        if (boxes && part.length != 4) {
          throw new IllegalArgumentException("part " + i + " has " + part.length
              + " numbers, but the first part has 4, which makes every part an xywh box");
        }
        rles[i] = boxes ? fromBbox(part, height, width) : fromPolygon(part, height, width);
      }
      return merge(Arrays.asList(rles), false);
    } else if (segmentation instanceof Segmentation.UncompressedRle u) {
      return new Rle(u.height(), u.width(), u.counts());
    } else {
      Segmentation.CompressedRle c = (Segmentation.CompressedRle) segmentation;
      return fromCompressedString(c.counts(), c.height(), c.width());
    }
  }

  // ---------------------------------------------------------------- merge and IoU

  /**
   * The union or intersection of masks of one size.
   *
   * @param rles the masks, at least one
   * @param intersect {@code true} for the intersection, {@code false} for the union
   * @return the merged runs
   * @throws IllegalArgumentException when the list is empty or sizes differ
   */
  public static Rle merge(List<Rle> rles, boolean intersect) {
    if (rles.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    Rle acc = rles.get(0);
    for (int i = 1; i < rles.size(); i++) {
      Rle b = rles.get(i);
      if (b.height() != acc.height() || b.width() != acc.width()) {
        throw new IllegalArgumentException("mask " + i + " has size [" + b.height() + ", "
            + b.width() + "], mask 0 has [" + acc.height() + ", " + acc.width() + "]");
      }
      acc = merge2(acc, b, intersect);
    }
    return acc;
  }

  private static Rle merge2(Rle ra, Rle rb, boolean intersect) {
    int[] a = ra.counts();
    int[] b = rb.counts();
    if (a.length == 0 || b.length == 0) {
      // Only a 0-pixel mask has no runs; the result is the empty mask of that size.
      return new Rle(ra.height(), ra.width(), new int[0]);
    }
    int[] out = new int[a.length + b.length + 1];
    int m = 0;
    long ca = a[0];
    long cb = b[0];
    boolean v = false;
    boolean va = false;
    boolean vb = false;
    int ia = 1;
    int ib = 1;
    long cc = 0;
    long ct = 1;
    while (ct > 0) {
      long c = Math.min(ca, cb);
      cc += c;
      ct = 0;
      ca -= c;
      if (ca == 0 && ia < a.length) {
        ca = a[ia++];
        va = !va;
      }
      ct += ca;
      cb -= c;
      if (cb == 0 && ib < b.length) {
        cb = b[ib++];
        vb = !vb;
      }
      ct += cb;
      boolean vp = v;
      v = intersect ? va && vb : va || vb;
      if (v != vp || ct == 0) {
        if (m == out.length) {
          out = Arrays.copyOf(out, out.length * 2);
        }
        out[m++] = (int) cc;
        cc = 0;
      }
    }
    return new Rle(ra.height(), ra.width(), Arrays.copyOf(out, m));
  }

  /**
   * Mask IoU of every detection with every ground truth, as pycocotools' {@code iou}: for a crowd
   * ground truth the union is the detection's area; pairs whose boxes do not overlap are 0; pairs
   * of different sizes are -1.
   *
   * @param dt detection masks
   * @param gt ground-truth masks
   * @param iscrowd one flag per ground truth
   * @return {@code [dt.size()][gt.size()]}
   */
  public static double[][] iou(List<Rle> dt, List<Rle> gt, boolean[] iscrowd) {
    checkCrowd(gt.size(), iscrowd);
    double[][] db = new double[dt.size()][];
    double[][] gb = new double[gt.size()][];
    for (int d = 0; d < db.length; d++) {
      db[d] = toBbox(dt.get(d));
    }
    for (int g = 0; g < gb.length; g++) {
      gb[g] = toBbox(gt.get(g));
    }
    double[][] o = boxIou(db, gb, iscrowd);
    for (int d = 0; d < db.length; d++) {
      for (int g = 0; g < gb.length; g++) {
        if (o[d][g] > 0) {
          o[d][g] = rleIou(dt.get(d), gt.get(g), iscrowd != null && iscrowd[g]);
        }
      }
    }
    return o;
  }

  /**
   * The IoU of two masks of one size, -1 when sizes differ.
   *
   * @param dt the detection
   * @param gt the ground truth
   * @param crowd whether the ground truth is a crowd (then the union is the detection's area)
   * @return the IoU
   */
  public static double rleIou(Rle dt, Rle gt, boolean crowd) {
    if (dt.height() != gt.height() || dt.width() != gt.width()) {
      return -1;
    }
    int[] a = dt.counts();
    int[] b = gt.counts();
    if (a.length == 0 || b.length == 0) {
      return 0;
    }
    long ca = a[0];
    long cb = b[0];
    boolean va = false;
    boolean vb = false;
    int ia = 1;
    int ib = 1;
    long inter = 0;
    long union = 0;
    long ct = 1;
    while (ct > 0) {
      long c = Math.min(ca, cb);
      if (va || vb) {
        union += c;
        if (va && vb) {
          inter += c;
        }
      }
      ct = 0;
      ca -= c;
      if (ca == 0 && ia < a.length) {
        ca = a[ia++];
        va = !va;
      }
      ct += ca;
      cb -= c;
      if (cb == 0 && ib < b.length) {
        cb = b[ib++];
        vb = !vb;
      }
      ct += cb;
    }
    if (inter == 0) {
      union = 1;
    } else if (crowd) {
      union = area(dt);
    }
    return (double) inter / (double) union;
  }

  /**
   * Box IoU of xywh boxes with no {@code +1}, as pycocotools' {@code bbIou}; for a crowd ground
   * truth the union is the detection's area.
   *
   * @param dt detection boxes, each {@code [x, y, w, h]}
   * @param gt ground-truth boxes
   * @param iscrowd one flag per ground truth, or {@code null} for none
   * @return {@code [dt.length][gt.length]}
   */
  public static double[][] boxIou(double[][] dt, double[][] gt, boolean[] iscrowd) {
    checkCrowd(gt.length, iscrowd);
    double[][] o = new double[dt.length][gt.length];
    for (int g = 0; g < gt.length; g++) {
      double[] gg = gt[g];
      double ga = gg[2] * gg[3];
      boolean crowd = iscrowd != null && iscrowd[g];
      for (int d = 0; d < dt.length; d++) {
        double[] dd = dt[d];
        double da = dd[2] * dd[3];
        double w = Math.min(dd[2] + dd[0], gg[2] + gg[0]) - Math.max(dd[0], gg[0]);
        if (w <= 0) {
          continue;
        }
        double h = Math.min(dd[3] + dd[1], gg[3] + gg[1]) - Math.max(dd[1], gg[1]);
        if (h <= 0) {
          continue;
        }
        double i = w * h;
        double u = crowd ? da : da + ga - i;
        o[d][g] = i / u;
      }
    }
    return o;
  }

  private static void checkCrowd(int n, boolean[] iscrowd) {
    if (iscrowd != null && iscrowd.length != n) {
      throw new IllegalArgumentException(
          "iscrowd has " + iscrowd.length + " flags for " + n + " ground truths");
    }
  }

  /** A growable int array; boxing a list of runs would cost five times the memory. */
  static final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
      a = new int[Math.max(capacity, 4)];
    }

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
