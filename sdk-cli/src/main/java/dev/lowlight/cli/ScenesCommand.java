package dev.lowlight.cli;

import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.scenes.SceneGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight scenes}: the embedded procedural dataset, written as COCO. */
@Command(name = "scenes", mixinStandardHelpOptions = true,
    description = {"Generate a procedural scene dataset (discs, rings, rectangles, triangles, stars on textured",
        "backgrounds) as COCO: OUTPUT/images/*.png and OUTPUT/annotations.json with exact RLE masks.",
        "The same seed gives the same bytes."})
final class ScenesCommand implements Callable<Integer> {

  @Option(names = "--output", required = true, description = "Dataset directory to write.")
  Path output;

  @Option(names = "--count", defaultValue = "100", description = "Number of images (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--width", defaultValue = "320", description = "Image width (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = "240", description = "Image height (default: ${DEFAULT-VALUE}).")
  int height;

  @Option(names = "--min-objects", defaultValue = "3", description = "Fewest objects per image (default: ${DEFAULT-VALUE}).")
  int minObjects;

  @Option(names = "--max-objects", defaultValue = "10", description = "Most objects per image (default: ${DEFAULT-VALUE}).")
  int maxObjects;

  @Option(names = "--min-size", defaultValue = "8", description = "Smallest object size in pixels (default: ${DEFAULT-VALUE}).")
  double minSize;

  @Option(names = "--max-size", defaultValue = "0",
      description = "Largest object size in pixels; 0 means half the shorter image side (default: ${DEFAULT-VALUE}).")
  double maxSize;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (count < 1) {
      throw new UserError("--count must be >= 1, got " + count);
    }
    SceneGenerator generator;
    try {
      generator = SceneGenerator.builder().optWidth(width).optHeight(height).optMinObjects(minObjects)
          .optMaxObjects(maxObjects).optMinObjectSize(minSize).optMaxObjectSize(maxSize).build();
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    CocoDataset ds;
    try (ProgressBar bar = new ProgressBar("scenes", count)) {
      ds = SceneDataset.write(output, count, seed, generator, (done, total) -> bar.step(1, ""));
    }
    spec.commandLine().getOut().printf("%d images, %d objects, %d categories: %s%n", ds.images().size(),
        ds.annotations().size(), ds.categories().size(), output.resolve(SceneDataset.ANNOTATIONS).toAbsolutePath());
    return 0;
  }
}
