package dev.lowlight.data.scenes;

/**
 * One visible object instance of a {@link Scene}.
 *
 * <p>The mask is exactly the set of pixels that show this object after occlusion by the objects
 * drawn later (hard edges, no anti-aliasing), so it can be written as an exact COCO RLE.
 *
 * @param categoryId the id of the object's {@link Category}
 * @param width the image width (the mask's row length)
 * @param height the image height
 * @param mask {@code width * height} flags, row-major, true where the object is visible
 * @param bbox the tight box {@code [x, y, w, h]} of the mask in pixels (COCO's convention: a
 *     one-pixel object has {@code w = h = 1})
 * @param area the number of pixels in the mask
 */
public record SceneObject(int categoryId, int width, int height, boolean[] mask, int[] bbox, int area) {

  public SceneObject {
    if (mask.length != width * height) {
      throw new IllegalArgumentException("mask has " + mask.length + " flags for a " + width + "x" + height + " image");
    }
    if (bbox.length != 4) {
      throw new IllegalArgumentException("bbox must be [x, y, w, h], got " + bbox.length + " values");
    }
  }

  /** Whether pixel {@code (y, x)} belongs to the object. */
  public boolean contains(int y, int x) {
    return mask[y * width + x];
  }
}
