package dev.lowlight.data.coco;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.Collections;

/**
 * A COCO instances file: images, categories and annotations, in file order.
 *
 * <p>The constructor copies the lists but does not cross-check them; {@link CocoReader} does that
 * (unique ids, every {@code image_id} and {@code category_id} resolved), and {@link #validate()}
 * does it for datasets built in code.
 *
 * <pre>{@code
 * CocoDataset gt = CocoReader.readDataset(Path.of("instances_val2017.json"));
 * CocoImage first = gt.images().get(0);
 * }</pre>
 *
 * @param info the optional {@code info} object as plain JSON values, empty when absent
 * @param images the images
 * @param categories the categories
 * @param annotations the annotations
 */
public record CocoDataset(Map<String, Object> info, List<CocoImage> images,
    List<CocoCategory> categories, List<CocoAnnotation> annotations) {

  /** Copies the lists. */
  public CocoDataset {
    info = info == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(info));
    images = List.copyOf(images);
    categories = List.copyOf(categories);
    annotations = List.copyOf(annotations);
  }

  /** Images by id (a new map on each call). */
  public Map<Long, CocoImage> imagesById() {
    Map<Long, CocoImage> m = new HashMap<>(images.size() * 2);
    for (CocoImage i : images) {
      m.put(i.id(), i);
    }
    return m;
  }

  /** Categories by id (a new map on each call). */
  public Map<Long, CocoCategory> categoriesById() {
    Map<Long, CocoCategory> m = new LinkedHashMap<>();
    for (CocoCategory c : categories) {
      m.put(c.id(), c);
    }
    return m;
  }

  /**
   * Checks what the reader checks: unique image, category and annotation ids, and annotations
   * that refer to existing images and categories.
   *
   * @return this dataset
   * @throws CocoFormatException naming the first offending entry
   */
  public CocoDataset validate() {
    return validate(null);
  }

  CocoDataset validate(String source) {
    Map<Long, CocoImage> imgs = new HashMap<>(images.size() * 2);
    for (int i = 0; i < images.size(); i++) {
      CocoImage img = images.get(i);
      if (imgs.put(img.id(), img) != null) {
        throw new CocoFormatException(source, "images[" + i + "]",
            "duplicate image id " + img.id());
      }
    }
    Map<Long, CocoCategory> cats = new HashMap<>();
    for (int i = 0; i < categories.size(); i++) {
      CocoCategory c = categories.get(i);
      if (cats.put(c.id(), c) != null) {
        throw new CocoFormatException(source, "categories[" + i + "]",
            "duplicate category id " + c.id());
      }
    }
    Set<Long> annIds = new HashSet<>(annotations.size() * 2);
    for (int i = 0; i < annotations.size(); i++) {
      CocoAnnotation a = annotations.get(i);
      String where = "annotations[" + i + "] (id " + a.id() + ")";
      if (!annIds.add(a.id())) {
        throw new CocoFormatException(source, where, "duplicate annotation id " + a.id());
      }
      CocoImage img = imgs.get(a.imageId());
      if (img == null) {
        throw new CocoFormatException(source, where + ".image_id",
            "image_id " + a.imageId() + " does not refer to any image");
      }
      if (!cats.containsKey(a.categoryId())) {
        throw new CocoFormatException(source, where + ".category_id",
            "category_id " + a.categoryId() + " does not refer to any category");
      }
      checkRleSize(source, where, a.segmentation(), img);
    }
    return this;
  }

  /**
   * A run-length mask of another size than its image would give IoU -1 in pycocotools and so never
   * match; that is a silent wrong answer, so it is refused here.
   */
  static void checkRleSize(String source, String where, Segmentation s, CocoImage img) {
    int h;
    int w;
    if (s instanceof Segmentation.UncompressedRle u) {
      h = u.height();
      w = u.width();
    } else if (s instanceof Segmentation.CompressedRle c) {
      h = c.height();
      w = c.width();
    } else {
      return;
    }
    if (h != img.height() || w != img.width()) {
      throw new CocoFormatException(source, where + ".segmentation.size",
          "size [" + h + ", " + w + "] differs from image " + img.id() + "'s [" + img.height()
              + ", " + img.width() + "] (height, width)");
    }
  }

  @Override
  public String toString() {
    return "CocoDataset[images=" + images.size() + ", categories=" + categories.size()
        + ", annotations=" + annotations.size() + "]";
  }
}
