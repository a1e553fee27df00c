package dev.lowlight.data.coco;

import java.util.Objects;

/**
 * One entry of a COCO file's {@code categories} list.
 *
 * @param id the category id annotations refer to
 * @param name the category name
 * @param supercategory the parent name, {@code null} when the file has none
 */
public record CocoCategory(long id, String name, String supercategory) {

  /** Checks the fields. */
  public CocoCategory {
    Objects.requireNonNull(name, "name");
  }
}
