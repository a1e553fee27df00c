package dev.lowlight.data.coco;

/**
 * One detection in COCO's results format ({@code [{"image_id", "category_id", "bbox", "score",
 * "segmentation"}]}).
 *
 * <p>At least one of {@code bbox} and {@code segmentation} is present. As in pycocotools'
 * {@code loadRes}, evaluation derives what is missing: with a box, the area is {@code w * h} (even
 * for mask evaluation) and a missing mask is the box's polygon; with only a mask, the area and box
 * come from the mask.
 *
 * @param imageId the image
 * @param categoryId the predicted category
 * @param bbox the box, xywh, or {@code null}
 * @param score the confidence, finite
 * @param segmentation the mask, or {@code null}; files carry compressed RLE
 */
public record CocoResult(long imageId, long categoryId, BoxXywh bbox, double score,
    Segmentation segmentation) {

  /** Checks that there is something to evaluate and that the score is finite. */
  public CocoResult {
    if (bbox == null && segmentation == null) {
      throw new IllegalArgumentException("result for image " + imageId
          + " has neither bbox nor segmentation");
    }
    if (!Double.isFinite(score)) {
      throw new IllegalArgumentException("result for image " + imageId + " has score " + score);
    }
  }

  /** A box-only result. */
  public static CocoResult ofBox(long imageId, long categoryId, BoxXywh bbox, double score) {
    return new CocoResult(imageId, categoryId, bbox, score, null);
  }
}
