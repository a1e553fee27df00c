package dev.lowlight.data.eval;

import dev.lowlight.data.coco.BoxXywh;
import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Rle;
import dev.lowlight.data.coco.Segmentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * pycocotools' {@code COCOeval} for {@code bbox} and {@code segm}, number for number.
 *
 * <p>Per image and category, detections are sorted by score (stable, so ties keep file order),
 * cut to 100, and matched greedily to ground truth at IoU thresholds .50:.05:.95, for the area
 * ranges all / small (&lt; 32²) / medium / large (&gt; 96²). Crowd ground truth and ground truth
 * outside the area range are ignored, and so are detections matched to them and unmatched
 * detections outside the area range. Precision is interpolated at 101 recall points on the
 * monotone envelope. The quirks are pycocotools': box IoU without {@code +1}, a crowd's union is
 * the detection's area, ground truth sorted with ignored last and ties in IoU going to the later
 * ground truth, images and categories with neither ground truth nor detections skipped, a
 * result's area taken as {@code w * h} of its box whenever the results carry boxes (even for mask
 * evaluation), and only the ground truth's categories evaluated.
 *
 * <pre>{@code
 * CocoDataset gt = CocoReader.readDataset(Path.of("instances_val2017.json"));
 * List<CocoResult> dt = CocoReader.readResults(Path.of("detections.json"));
 * EvalResult r = CocoEvaluator.evaluate(gt, dt, IouType.SEGM);
 * System.out.print(r.summaryText());
 * double ap = r.stats().ap();
 * }</pre>
 *
 * <p>Images are evaluated in parallel on the common fork-join pool, categories likewise when
 * accumulating; the result does not depend on the order the threads finish.
 */
public final class CocoEvaluator {

  static final int T = 10;
  static final int R = 101;
  static final int A = 4;
  static final int M = 3;
  static final int[] MAX_DETS = {1, 10, 100};
  static final double[] IOU_THRS = new double[T];
  static final double[] REC_THRS = new double[R];
  static final double[][] AREA_RNG = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};
  private static final double EPS = Math.ulp(1.0);

  static {
    // Exactly numpy's linspace: i * step + start, with the end point set to stop.
    double step = (0.95 - 0.5) / (T - 1);
    for (int i = 0; i < T; i++) {
      IOU_THRS[i] = i * step + 0.5;
    }
    IOU_THRS[T - 1] = 0.95;
    double rstep = 1.0 / (R - 1);
    for (int i = 0; i < R; i++) {
      REC_THRS[i] = i * rstep;
    }
    REC_THRS[R - 1] = 1.0;
  }

  private CocoEvaluator() {}

  /**
   * Evaluates detections against ground truth.
   *
   * @param gt the ground truth (its images and categories define what is evaluated)
   * @param dt the detections; each must refer to an image of {@code gt}; detections of categories
   *     that {@code gt} lacks are left out, as pycocotools does
   * @param type boxes or masks
   * @return the statistics
   * @throws IllegalArgumentException when a detection refers to an unknown image, lacks what
   *     {@code type} needs, or has a mask of another size than its image
   */
  public static EvalResult evaluate(CocoDataset gt, List<CocoResult> dt, IouType type) {
    return new Run(gt, dt, type).run();
  }

  /**
   * Evaluates boxes, and masks too when every detection has one (and there is at least one).
   *
   * @param gt the ground truth
   * @param dt the detections
   * @return {@code bbox} and, where possible, {@code segm}, in that order
   */
  public static Map<IouType, EvalResult> evaluateAll(CocoDataset gt, List<CocoResult> dt) {
    Map<IouType, EvalResult> out = new EnumMap<>(IouType.class);
    out.put(IouType.BBOX, evaluate(gt, dt, IouType.BBOX));
    if (!dt.isEmpty() && dt.stream().allMatch(r -> r.segmentation() != null)) {
      out.put(IouType.SEGM, evaluate(gt, dt, IouType.SEGM));
    }
    return out;
  }

  /** One image-category pair's matches, for all area ranges and thresholds. */
  private static final class CellEval {
    final int k;
    final int d;
    final double[] scores;
    /** Per (area, threshold, detection): 0 ignored, 1 true positive, 2 false positive. */
    final byte[] flags;
    /** Per area range: ground truth that is not ignored. */
    final int[] npig;

    CellEval(int k, int d, double[] scores, byte[] flags, int[] npig) {
      this.k = k;
      this.d = d;
      this.scores = scores;
      this.flags = flags;
      this.npig = npig;
    }
  }

  /** One evaluation: the indexes built from the inputs, then evaluate and accumulate. */
  private static final class Run {
    private final List<CocoResult> dts;
    private final IouType type;
    private final CocoImage[] images;
    private final long[] catIds;
    private final List<CocoAnnotation> anns;
    /** Per image, annotation indices in file order (CSR layout). */
    private int[] gtStart;
    private int[] gtIdx;
    private int[] gtCat;
    private int[] dtStart;
    private int[] dtIdx;
    private int[] dtCat;
    /** Whether the results carry boxes, decided by the first one as pycocotools' loadRes does. */
    private final boolean boxMode;

    Run(CocoDataset gt, List<CocoResult> dt, IouType type) {
      this.dts = dt;
      this.type = type;
      this.anns = gt.annotations();
      this.images = gt.images().toArray(new CocoImage[0]);
      Arrays.sort(images, (x, y) -> Long.compare(x.id(), y.id()));
      this.catIds = gt.categories().stream().mapToLong(c -> c.id()).sorted().toArray();
      this.boxMode = !dt.isEmpty() && dt.get(0).bbox() != null;
    }

    EvalResult run() {
      index();
      int ni = images.length;
      int nk = catIds.length;
      CellEval[][] perImage = IntStream.range(0, ni).parallel().mapToObj(this::evalImage)
          .toArray(CellEval[][]::new);
      List<List<CellEval>> perCat = new ArrayList<>(nk);
      for (int k = 0; k < nk; k++) {
        perCat.add(new ArrayList<>());
      }
      for (CellEval[] cells : perImage) {
        for (CellEval c : cells) {
          perCat.get(c.k).add(c);
        }
      }
      double[] precision = new double[T * R * nk * A * M];
      double[] recall = new double[T * nk * A * M];
      Arrays.fill(precision, -1);
      Arrays.fill(recall, -1);
      IntStream.range(0, nk).parallel()
          .forEach(k -> accumulate(k, nk, perCat.get(k), precision, recall));
      return summarize(nk, precision, recall);
    }

    // -------------------------------------------------------------- indexing

    private void index() {
      Map<Long, Integer> imgIndex = new HashMap<>(images.length * 2);
      for (int i = 0; i < images.length; i++) {
        imgIndex.put(images[i].id(), i);
      }
      Map<Long, Integer> catIndex = new HashMap<>();
      for (int k = 0; k < catIds.length; k++) {
        catIndex.put(catIds[k], k);
      }
      int ni = images.length;
      int[] gi = new int[anns.size()];
      int[] gk = new int[anns.size()];
      for (int j = 0; j < anns.size(); j++) {
        CocoAnnotation a = anns.get(j);
        Integer i = imgIndex.get(a.imageId());
        Integer k = catIndex.get(a.categoryId());
        if (i == null || k == null) {
          throw new IllegalArgumentException("annotation " + a.id() + " refers to image "
              + a.imageId() + " / category " + a.categoryId()
              + " that the dataset lacks; CocoDataset.validate() finds such entries");
        }
        gi[j] = i;
        gk[j] = k;
      }
      int[] di = new int[dts.size()];
      int[] dk = new int[dts.size()];
      for (int j = 0; j < dts.size(); j++) {
        CocoResult r = dts.get(j);
        Integer i = imgIndex.get(r.imageId());
        if (i == null) {
          throw new IllegalArgumentException("result " + j + " refers to image_id " + r.imageId()
              + ", which is not in the ground truth");
        }
        if (boxMode && r.bbox() == null) {
          throw new IllegalArgumentException("result " + j + " has no bbox, but the first result"
              + " has one, which makes boxes required (pycocotools' loadRes rule)");
        }
        if (!boxMode && r.segmentation() == null) {
          throw new IllegalArgumentException("result " + j + " has no segmentation, but the"
              + " first result has no bbox, which makes masks required");
        }
        Integer k = catIndex.get(r.categoryId());
        di[j] = i;
        dk[j] = k == null ? -1 : k;
      }
      int[][] g = csr(ni, gi, gk);
      gtStart = g[0];
      gtIdx = g[1];
      gtCat = g[2];
      int[][] d = csr(ni, di, dk);
      dtStart = d[0];
      dtIdx = d[1];
      dtCat = d[2];
    }

    /**
     * Groups entries by image, then by category within the image, keeping file order inside each
     * group; entries with category -1 are dropped.
     */
    private static int[][] csr(int ni, int[] img, int[] cat) {
      int[] start = new int[ni + 1];
      int n = 0;
      for (int j = 0; j < img.length; j++) {
        if (cat[j] >= 0) {
          start[img[j] + 1]++;
          n++;
        }
      }
      for (int i = 0; i < ni; i++) {
        start[i + 1] += start[i];
      }
      int[] fill = Arrays.copyOf(start, ni);
      int[] idx = new int[n];
      for (int j = 0; j < img.length; j++) {
        if (cat[j] >= 0) {
          idx[fill[img[j]]++] = j;
        }
      }
      // Within an image, a sort on (category, file position) groups categories stably.
      for (int i = 0; i < ni; i++) {
        int lo = start[i];
        int hi = start[i + 1];
        if (hi - lo < 2) {
          continue;
        }
        long[] keys = new long[hi - lo];
        for (int j = lo; j < hi; j++) {
          keys[j - lo] = ((long) cat[idx[j]] << 32) | idx[j];
        }
        Arrays.sort(keys);
        for (int j = lo; j < hi; j++) {
          idx[j] = (int) keys[j - lo];
        }
      }
      int[] cats = new int[n];
      for (int j = 0; j < n; j++) {
        cats[j] = cat[idx[j]];
      }
      return new int[][] {start, idx, cats};
    }

    // -------------------------------------------------------------- per image

    private CellEval[] evalImage(int i) {
      List<CellEval> out = new ArrayList<>();
      int g = gtStart[i];
      int gEnd = gtStart[i + 1];
      int d = dtStart[i];
      int dEnd = dtStart[i + 1];
      while (g < gEnd || d < dEnd) {
        int k = Math.min(g < gEnd ? gtCat[g] : Integer.MAX_VALUE,
            d < dEnd ? dtCat[d] : Integer.MAX_VALUE);
        int g0 = g;
        while (g < gEnd && gtCat[g] == k) {
          g++;
        }
        int d0 = d;
        while (d < dEnd && dtCat[d] == k) {
          d++;
        }
        out.add(evalCell(i, k, g0, g, d0, d));
      }
      return out.toArray(new CellEval[0]);
    }

    private CellEval evalCell(int i, int k, int g0, int g1, int d0, int d1) {
      CocoImage img = images[i];
      int ng = g1 - g0;
      int nd = d1 - d0;
      double[] allScores = new double[nd];
      int[] order = new int[nd];
      for (int j = 0; j < nd; j++) {
        allScores[j] = dts.get(dtIdx[d0 + j]).score();
        order[j] = j;
      }
      StableSort.descending(allScores, order, nd);
      int nD = Math.min(nd, MAX_DETS[M - 1]);
      CocoResult[] det = new CocoResult[nD];
      double[] scores = new double[nD];
      for (int j = 0; j < nD; j++) {
        det[j] = dts.get(dtIdx[d0 + order[j]]);
        scores[j] = det[j].score();
      }
      CocoAnnotation[] gts = new CocoAnnotation[ng];
      boolean[] crowd = new boolean[ng];
      for (int j = 0; j < ng; j++) {
        gts[j] = anns.get(gtIdx[g0 + j]);
        crowd[j] = gts[j].iscrowd();
      }

      double[] dArea = new double[nD];
      double[][] ious;
      if (type == IouType.BBOX) {
        double[][] db = new double[nD][];
        for (int j = 0; j < nD; j++) {
          if (boxMode) {
            db[j] = det[j].bbox().toArray();
            dArea[j] = det[j].bbox().area();
          } else {
            Rle rle = detRle(det[j], img);
            db[j] = det[j].bbox() != null ? det[j].bbox().toArray() : MaskApi.toBbox(rle);
            dArea[j] = MaskApi.area(rle);
          }
        }
        double[][] gb = new double[ng][];
        for (int j = 0; j < ng; j++) {
          gb[j] = gts[j].bbox().toArray();
        }
        ious = MaskApi.boxIou(db, gb, crowd);
      } else {
        List<Rle> dr = new ArrayList<>(nD);
        for (int j = 0; j < nD; j++) {
          Rle rle = detRle(det[j], img);
          dr.add(rle);
          dArea[j] = boxMode ? det[j].bbox().area() : MaskApi.area(rle);
        }
        List<Rle> gr = new ArrayList<>(ng);
        for (CocoAnnotation a : gts) {
          if (a.segmentation() == null) {
            throw new IllegalArgumentException("annotation " + a.id()
                + " has no segmentation; segm evaluation needs one for every annotation");
          }
          gr.add(MaskApi.toRle(a.segmentation(), img.height(), img.width()));
        }
        ious = MaskApi.iou(dr, gr, crowd);
      }

      byte[] flags = new byte[A * T * nD];
      int[] npig = new int[A];
      boolean[] gIg = new boolean[ng];
      int[] gind = new int[ng];
      boolean[] gIgS = new boolean[ng];
      boolean[] crowdS = new boolean[ng];
      long[] gIdS = new long[ng];
      boolean[] gtm = new boolean[ng];
      long[] dtmId = new long[nD];
      boolean[] dtIg = new boolean[nD];
      for (int a = 0; a < A; a++) {
        double lo = AREA_RNG[a][0];
        double hi = AREA_RNG[a][1];
        int n = 0;
        for (int j = 0; j < ng; j++) {
          double ar = gts[j].area();
          gIg[j] = crowd[j] || ar < lo || ar > hi;
          if (!gIg[j]) {
            gind[n++] = j;
          }
        }
        npig[a] = n;
        for (int j = 0; j < ng; j++) {
          if (gIg[j]) {
            gind[n++] = j;
          }
        }
        for (int j = 0; j < ng; j++) {
          gIgS[j] = gIg[gind[j]];
          crowdS[j] = crowd[gind[j]];
          gIdS[j] = gts[gind[j]].id();
        }
        for (int t = 0; t < T; t++) {
          Arrays.fill(gtm, false);
          Arrays.fill(dtmId, 0);
          Arrays.fill(dtIg, false);
          if (ng > 0) {
            for (int dd = 0; dd < nD; dd++) {
              double best = Math.min(IOU_THRS[t], 1 - 1e-10);
              int m = -1;
              double[] row = ious[dd];
              for (int gg = 0; gg < ng; gg++) {
                if (gtm[gg] && !crowdS[gg]) {
                  continue;
                }
                if (m > -1 && !gIgS[m] && gIgS[gg]) {
                  break;
                }
                double v = row[gind[gg]];
                if (v < best) {
                  continue;
                }
                best = v;
                m = gg;
              }
              if (m == -1) {
                continue;
              }
              dtIg[dd] = gIgS[m];
              dtmId[dd] = gIdS[m];
              gtm[m] = true;
            }
          }
          int base = (a * T + t) * nD;
          for (int dd = 0; dd < nD; dd++) {
            // pycocotools tests "matched" as a non-zero gt id; a gt with id 0 counts as unmatched.
            boolean matched = dtmId[dd] != 0;
            boolean ignore = dtIg[dd] || (!matched && (dArea[dd] < lo || dArea[dd] > hi));
            flags[base + dd] = (byte) (ignore ? 0 : matched ? 1 : 2);
          }
        }
      }
      return new CellEval(k, nD, scores, flags, npig);
    }

    private Rle detRle(CocoResult r, CocoImage img) {
      Segmentation s = r.segmentation();
      Rle rle;
      if (s == null) {
        BoxXywh b = r.bbox();
        // loadRes gives box results the polygon through the box corners.
        rle = MaskApi.fromPolygon(new double[] {b.x(), b.y(), b.x(), b.y() + b.h(),
            b.x() + b.w(), b.y() + b.h(), b.x() + b.w(), b.y()}, img.height(), img.width());
      } else {
        rle = MaskApi.toRle(s, img.height(), img.width());
      }
      if (rle.height() != img.height() || rle.width() != img.width()) {
        throw new IllegalArgumentException("a result for image " + img.id() + " has a mask of"
            + " size [" + rle.height() + ", " + rle.width() + "], the image is ["
            + img.height() + ", " + img.width() + "]; pycocotools would silently never match it");
      }
      return rle;
    }

    // -------------------------------------------------------------- accumulate

    private void accumulate(int k, int nk, List<CellEval> cells, double[] precision,
        double[] recall) {
      if (cells.isEmpty()) {
        return;
      }
      int ne = cells.size();
      int[] npig = new int[A];
      for (CellEval c : cells) {
        for (int a = 0; a < A; a++) {
          npig[a] += c.npig[a];
        }
      }
      double[] q = new double[R];
      for (int m = 0; m < M; m++) {
        int maxDet = MAX_DETS[m];
        int total = 0;
        for (CellEval c : cells) {
          total += Math.min(maxDet, c.d);
        }
        double[] sc = new double[total];
        int[] cell = new int[total];
        int[] pos = new int[total];
        int[] order = new int[total];
        int o = 0;
        for (int e = 0; e < ne; e++) {
          CellEval c = cells.get(e);
          int n = Math.min(maxDet, c.d);
          for (int j = 0; j < n; j++) {
            sc[o] = c.scores[j];
            cell[o] = e;
            pos[o] = j;
            order[o] = o;
            o++;
          }
        }
        StableSort.descending(sc, order, total);
        double[] rc = new double[total];
        double[] pr = new double[total];
        for (int a = 0; a < A; a++) {
          if (npig[a] == 0) {
            continue;
          }
          for (int t = 0; t < T; t++) {
            long tp = 0;
            long fp = 0;
            for (int j = 0; j < total; j++) {
              int s = order[j];
              CellEval c = cells.get(cell[s]);
              byte f = c.flags[(a * T + t) * c.d + pos[s]];
              if (f == 1) {
                tp++;
              } else if (f == 2) {
                fp++;
              }
              rc[j] = (double) tp / npig[a];
              pr[j] = tp / ((double) fp + tp + EPS);
            }
            recall[((t * nk + k) * A + a) * M + m] = total > 0 ? rc[total - 1] : 0;
            for (int j = total - 1; j > 0; j--) {
              if (pr[j] > pr[j - 1]) {
                pr[j - 1] = pr[j];
              }
            }
            Arrays.fill(q, 0);
            int ptr = 0;
            for (int r = 0; r < R; r++) {
              while (ptr < total && rc[ptr] < REC_THRS[r]) {
                ptr++;
              }
              if (ptr >= total) {
                break;
              }
              q[r] = pr[ptr];
            }
            for (int r = 0; r < R; r++) {
              precision[(((t * R + r) * nk + k) * A + a) * M + m] = q[r];
            }
          }
        }
      }
    }

    // -------------------------------------------------------------- summarize

    private EvalResult summarize(int nk, double[] precision, double[] recall) {
      int t75 = -1;
      for (int t = 0; t < T; t++) {
        if (IOU_THRS[t] == 0.75) {
          t75 = t;
        }
      }
      double[] s = new double[12];
      s[0] = meanAp(precision, nk, -1, 0, 2, -1);
      s[1] = meanAp(precision, nk, 0, 0, 2, -1);
      s[2] = t75 < 0 ? -1 : meanAp(precision, nk, t75, 0, 2, -1);
      s[3] = meanAp(precision, nk, -1, 1, 2, -1);
      s[4] = meanAp(precision, nk, -1, 2, 2, -1);
      s[5] = meanAp(precision, nk, -1, 3, 2, -1);
      s[6] = meanAr(recall, nk, 0, 0);
      s[7] = meanAr(recall, nk, 0, 1);
      s[8] = meanAr(recall, nk, 0, 2);
      s[9] = meanAr(recall, nk, 1, 2);
      s[10] = meanAr(recall, nk, 2, 2);
      s[11] = meanAr(recall, nk, 3, 2);
      Map<Long, Double> perCat = new LinkedHashMap<>();
      for (int k = 0; k < nk; k++) {
        perCat.put(catIds[k], meanAp(precision, nk, -1, 0, 2, k));
      }
      return new EvalResult(type, EvalStats.of(s), perCat);
    }

    /** Mean of the precision entries above -1; {@code t} or {@code k} of -1 means all. */
    private static double meanAp(double[] precision, int nk, int tOnly, int a, int m, int kOnly) {
      double sum = 0;
      long n = 0;
      for (int t = 0; t < T; t++) {
        if (tOnly >= 0 && t != tOnly) {
          continue;
        }
        for (int r = 0; r < R; r++) {
          for (int k = 0; k < nk; k++) {
            if (kOnly >= 0 && k != kOnly) {
              continue;
            }
            double v = precision[(((t * R + r) * nk + k) * A + a) * M + m];
            if (v > -1) {
              sum += v;
              n++;
            }
          }
        }
      }
      return n == 0 ? -1 : sum / n;
    }

    private static double meanAr(double[] recall, int nk, int a, int m) {
      double sum = 0;
      long n = 0;
      for (int t = 0; t < T; t++) {
        for (int k = 0; k < nk; k++) {
          double v = recall[((t * nk + k) * A + a) * M + m];
          if (v > -1) {
            sum += v;
            n++;
          }
        }
      }
      return n == 0 ? -1 : sum / n;
    }
  }
}
