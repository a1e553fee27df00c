package dev.lowlight.data.scenes;

/**
 * An object class of the procedural scenes, with its fixed id and name as written to datasets.
 *
 * @param id the category id, 1-based and stable
 * @param name the category name
 */
public record Category(int id, String name) {

  public Category {
    if (id < 1) {
      throw new IllegalArgumentException("category id must be at least 1, got " + id);
    }
  }
}
