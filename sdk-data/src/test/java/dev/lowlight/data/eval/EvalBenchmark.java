package dev.lowlight.data.eval;

import dev.lowlight.data.coco.BoxXywh;
import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Rle;
import dev.lowlight.data.coco.Segmentation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times COCO evaluation on synthetic data shaped like COCO val: 640x480 images, 80 categories,
 * 1-15 objects per image (polygons, 1% crowd) and 100 scored detections per image with
 * compressed-RLE masks, 70% of them jittered copies of ground truth.
 *
 * <p>Run {@code main} for the full 5,000-image benchmark (argument: image count); {@code
 * EvalSpeedTest} runs a 1,000-image version with a proportional time bound.
 */
public final class EvalBenchmark {

  /** Synthetic ground truth and detections. */
  record Data(CocoDataset gt, List<CocoResult> dt) {}

  static Data generate(int numImages, int detsPerImage, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int w = 640;
    int h = 480;
    List<CocoImage> images = new ArrayList<>();
    List<CocoCategory> cats = new ArrayList<>();
    for (int c = 1; c <= 80; c++) {
      cats.add(new CocoCategory(c, "c" + c, null));
    }
    List<CocoAnnotation> anns = new ArrayList<>();
    List<CocoResult> dets = new ArrayList<>();
    long annId = 1;
    for (int i = 1; i <= numImages; i++) {
      images.add(new CocoImage(i, String.format("%06d.jpg", i), w, h));
      int ng = 1 + rnd.nextInt(15);
      List<double[]> gtBoxes = new ArrayList<>();
      List<Integer> gtCats = new ArrayList<>();
      for (int g = 0; g < ng; g++) {
        double[] box = randomBox(rnd, w, h);
        double[] poly = octagon(box);
        Rle rle = MaskApi.fromPolygon(poly, h, w);
        int cat = 1 + rnd.nextInt(80);
        anns.add(new CocoAnnotation(annId++, i, cat, new BoxXywh(box[0], box[1], box[2], box[3]),
            MaskApi.area(rle), rnd.nextInt(100) == 0,
            new Segmentation.Polygons(List.of(poly))));
        gtBoxes.add(box);
        gtCats.add(cat);
      }
      for (int d = 0; d < detsPerImage; d++) {
        double[] box;
        int cat;
        if (rnd.nextDouble() < 0.7) {
          int g = rnd.nextInt(ng);
          double[] b = gtBoxes.get(g);
          double j = 0.15 * Math.min(b[2], b[3]);
          box = clip(new double[] {b[0] + rnd.nextDouble(-j, j), b[1] + rnd.nextDouble(-j, j),
              b[2] + rnd.nextDouble(-j, j), b[3] + rnd.nextDouble(-j, j)}, w, h);
          cat = rnd.nextDouble() < 0.9 ? gtCats.get(g) : 1 + rnd.nextInt(80);
        } else {
          box = randomBox(rnd, w, h);
          cat = 1 + rnd.nextInt(80);
        }
        Rle rle = MaskApi.fromPolygon(octagon(box), h, w);
        dets.add(new CocoResult(i, cat, new BoxXywh(box[0], box[1], box[2], box[3]),
            Math.round(rnd.nextDouble() * 1e4) / 1e4,
            new Segmentation.CompressedRle(h, w, MaskApi.toCompressedString(rle))));
      }
    }
    return new Data(new CocoDataset(null, images, cats, anns), dets);
  }

  private static double[] randomBox(SplittableRandom rnd, int w, int h) {
    // Log-uniform sizes give COCO's mix of small, medium and large objects.
    double bw = Math.exp(rnd.nextDouble(Math.log(4), Math.log(w * 0.8)));
    double bh = Math.exp(rnd.nextDouble(Math.log(4), Math.log(h * 0.8)));
    return new double[] {rnd.nextDouble(0, w - bw), rnd.nextDouble(0, h - bh), bw, bh};
  }

  private static double[] clip(double[] b, int w, int h) {
    double x0 = Math.max(0, b[0]);
    double y0 = Math.max(0, b[1]);
    double x1 = Math.min(w, b[0] + Math.max(1, b[2]));
    double y1 = Math.min(h, b[1] + Math.max(1, b[3]));
    return new double[] {x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0)};
  }

  private static double[] octagon(double[] b) {
    double[] p = new double[16];
    for (int i = 0; i < 8; i++) {
      double a = Math.PI * 2 * i / 8 + Math.PI / 8;
      p[2 * i] = b[0] + b[2] / 2 + Math.cos(a) * b[2] / 2;
      p[2 * i + 1] = b[1] + b[3] / 2 + Math.sin(a) * b[3] / 2;
    }
    return p;
  }

  /** Evaluates boxes and masks and returns the seconds each took. */
  static double[] time(Data data) {
    double[] secs = new double[2];
    int i = 0;
    for (IouType type : IouType.values()) {
      long t0 = System.nanoTime();
      EvalResult r = CocoEvaluator.evaluate(data.gt(), data.dt(), type);
      secs[i++] = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%s: %.2f s, AP=%.4f AR100=%.4f%n", type.jsonName(), secs[i - 1],
          r.stats().ap(), r.stats().ar100());
    }
    return secs;
  }

  /**
   * Runs the benchmark.
   *
   * @param args optional image count (default 5000)
   */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    long t0 = System.nanoTime();
    Data data = generate(n, 100, 42);
    System.out.printf("generated %d images, %d annotations, %d detections in %.1f s on %d cpus%n",
        n, data.gt().annotations().size(), data.dt().size(), (System.nanoTime() - t0) / 1e9,
        Runtime.getRuntime().availableProcessors());
    time(data);
  }
}
