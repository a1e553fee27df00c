package dev.lowlight.data.loading;

import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoImage;
import java.nio.file.Path;
import java.util.List;

/**
 * An image the {@link AnnotationFilter} kept, with the annotations that become its targets.
 *
 * @param image the COCO image entry (its size is the one the annotations were made for)
 * @param file the image file
 * @param annotations the usable annotations, in file order
 * @param labels the contiguous label of each annotation, parallel to {@code annotations}
 */
record UsableImage(CocoImage image, Path file, List<CocoAnnotation> annotations, int[] labels) {}
