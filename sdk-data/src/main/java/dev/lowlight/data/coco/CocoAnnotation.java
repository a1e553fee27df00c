package dev.lowlight.data.coco;

import java.util.Objects;

/**
 * One entry of a COCO file's {@code annotations} list.
 *
 * @param id the annotation id, unique in the file
 * @param imageId the image it belongs to
 * @param categoryId its category
 * @param bbox the box, xywh
 * @param area the area COCO evaluation uses for the area ranges (for ground truth, the stored
 *     value, as pycocotools does)
 * @param iscrowd whether the region is a crowd (ignored by evaluation, matched with a one-sided
 *     IoU)
 * @param segmentation the mask, {@code null} when the file has none
 */
public record CocoAnnotation(long id, long imageId, long categoryId, BoxXywh bbox, double area,
    boolean iscrowd, Segmentation segmentation) {

  /** Checks that the box is present. */
  public CocoAnnotation {
    Objects.requireNonNull(bbox, "bbox");
  }
}
