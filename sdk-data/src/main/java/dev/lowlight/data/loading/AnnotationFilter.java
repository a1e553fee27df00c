package dev.lowlight.data.loading;

import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.Segmentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses what the loader trains on: the label map, and the images with at least one annotation
 * that can be a target. Crowds and other classes are not targets (torchvision's reference drops
 * crowds too); an annotation with an empty box, a zero-area polygon or no segmentation is skipped
 * with a warning; an image left without targets is not trained on, as torchvision's reference
 * removes images without annotations.
 */
final class AnnotationFilter {

  // The loader's logger, so that the summary line keeps the logger name users filter on.
  private static final Logger LOG = LoggerFactory.getLogger(CocoLoader.class);

  /**
   * The outcome of filtering.
   *
   * @param classNames label {@code i + 1} is {@code classNames.get(i)}
   * @param images the usable images, in the dataset's order
   */
  record Selection(List<String> classNames, List<UsableImage> images) {}

  private final CocoDataset dataset;
  private final Path imageDir;
  private final SkipLog skipLog;

  AnnotationFilter(CocoDataset dataset, Path imageDir, SkipLog skipLog) {
    this.dataset = dataset;
    this.imageDir = imageDir;
    this.skipLog = skipLog;
  }

  /** Labels for {@code classNames} (or every category when {@code null}), then the usable images. */
  Selection select(List<String> classNames) {
    Map<Long, Integer> labelOf = new HashMap<>();
    List<String> names = labelMap(classNames, labelOf);
    return new Selection(names, usableImages(labelOf));
  }

  /**
   * Contiguous labels {@code 1..K} (0 is the background): categories in order of their ids, or the
   * given class names in their order.
   */
  private List<String> labelMap(List<String> names, Map<Long, Integer> labelOf) {
    List<CocoCategory> cats = new ArrayList<>(dataset.categories());
    cats.sort(Comparator.comparingLong(CocoCategory::id));
    if (names == null) {
      List<String> out = new ArrayList<>();
      for (CocoCategory c : cats) {
        labelOf.put(c.id(), out.size() + 1);
        out.add(c.name());
      }
      return List.copyOf(out);
    }
    Map<String, Long> idByName = new LinkedHashMap<>();
    for (CocoCategory c : cats) {
      idByName.putIfAbsent(c.name(), c.id());
    }
    for (int i = 0; i < names.size(); i++) {
      Long id = idByName.get(names.get(i));
      if (id == null) {
        throw new IllegalArgumentException("class name '" + names.get(i) + "' is not a category of the dataset; "
            + "its categories are " + idByName.keySet());
      }
      if (labelOf.put(id, i + 1) != null) {
        throw new IllegalArgumentException("class name '" + names.get(i) + "' is given twice");
      }
    }
    return List.copyOf(names);
  }

  private List<UsableImage> usableImages(Map<Long, Integer> labelOf) {
    Map<Long, List<CocoAnnotation>> byImage = new HashMap<>();
    for (CocoAnnotation a : dataset.annotations()) {
      byImage.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
    }
    List<UsableImage> out = new ArrayList<>();
    int unannotated = 0;
    for (CocoImage img : dataset.images()) {
      Path file = imageDir.resolve(img.fileName());
      List<CocoAnnotation> anns = byImage.getOrDefault(img.id(), List.of());
      List<CocoAnnotation> kept = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      int crowd = 0;
      int otherClasses = 0;
      for (CocoAnnotation a : anns) {
        if (a.iscrowd()) {
          crowd++;
          continue;
        }
        Integer label = labelOf.get(a.categoryId());
        if (label == null) {
          otherClasses++;
          continue;
        }
        String problem = annotationProblem(a, img);
        if (problem != null) {
          skipLog.skip(file, img.id(), a.id(), problem);
          continue;
        }
        kept.add(a);
        labels.add(label);
      }
      if (kept.isEmpty()) {
        if (anns.isEmpty()) {
          unannotated++;
          // One summary line below rather than a warning per unannotated image.
          skipLog.recordQuietly(new Skipped(file, img.id(), Skipped.WHOLE_IMAGE, "no annotations"));
        } else {
          skipLog.skip(file, img.id(), Skipped.WHOLE_IMAGE, whyNoTarget(anns.size(), crowd, otherClasses));
        }
        continue;
      }
      out.add(new UsableImage(img, file, List.copyOf(kept), labels.stream().mapToInt(Integer::intValue).toArray()));
    }
    if (unannotated > 0) {
      LOG.warn("{} image(s) without annotations are left out of training, as torchvision's reference does",
          unannotated);
    }
    return List.copyOf(out);
  }

  private static String whyNoTarget(int annotations, int crowd, int otherClasses) {
    if (crowd == annotations) {
      return "only crowd annotations (" + crowd + "), none usable for training";
    }
    if (crowd + otherClasses == annotations) {
      return "no annotation of the chosen classes (" + otherClasses + " of other classes, " + crowd + " crowd)";
    }
    return "no usable annotation left for training";
  }

  /** Why an annotation cannot be a training target, or {@code null} when it can. */
  private static String annotationProblem(CocoAnnotation a, CocoImage img) {
    double x = a.bbox().x();
    double y = a.bbox().y();
    double w = a.bbox().w();
    double h = a.bbox().h();
    if (!(Double.isFinite(x) && Double.isFinite(y) && Double.isFinite(w) && Double.isFinite(h))) {
      return "box " + a.bbox() + " is not finite";
    }
    // The same float32 arithmetic as the targets, so that a box kept here is never empty there.
    float x1 = Math.min(Math.max((float) x, 0f), img.width());
    float y1 = Math.min(Math.max((float) y, 0f), img.height());
    float x2 = Math.min(Math.max((float) x + (float) w, 0f), img.width());
    float y2 = Math.min(Math.max((float) y + (float) h, 0f), img.height());
    if (!(x2 > x1 && y2 > y1)) {
      return "box [x=" + x + ", y=" + y + ", w=" + w + ", h=" + h + "] is empty or outside the " + img.width() + "x"
          + img.height() + " image";
    }
    Segmentation s = a.segmentation();
    if (s == null) {
      return "no segmentation (Mask R-CNN needs a mask per instance)";
    }
    if (s instanceof Segmentation.Polygons p) {
      if (p.polygons().isEmpty()) {
        return "degenerate polygon: no parts";
      }
      double area = 0;
      boolean boxes = p.polygons().get(0).length == 4;
      for (double[] part : p.polygons()) {
        for (double v : part) {
          if (!Double.isFinite(v)) {
            return "polygon has a non-finite coordinate";
          }
        }
        area += boxes && part.length == 4 ? Math.abs(part[2] * part[3]) : shoelace(part);
      }
      if (!(area > 0)) {
        return "degenerate polygon: zero area (" + p.polygons().size() + " part(s), points on a line or fewer than 3)";
      }
    }
    return null;
  }

  private static double shoelace(double[] xy) {
    int k = xy.length / 2;
    double s = 0;
    for (int i = 0; i < k; i++) {
      int j = (i + 1) % k;
      s += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    return Math.abs(s) / 2;
  }
}
