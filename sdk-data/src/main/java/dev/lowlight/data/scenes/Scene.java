package dev.lowlight.data.scenes;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.image.ImageFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * A generated image with its visible objects, back to front.
 *
 * @param seed the seed that generated it
 * @param image the rendered 8-bit sRGB image (every value is {@code k/255})
 * @param objects the visible objects; their masks are disjoint
 */
public record Scene(long seed, RgbImage image, List<SceneObject> objects) {

  public Scene {
    objects = List.copyOf(objects);
  }

  /**
   * Writes the image atomically; use a {@code .png} name to keep it lossless, so that the masks
   * stay exact to the stored pixels.
   */
  public void writeImage(Path file) {
    ImageFiles.write(image, file);
  }
}
