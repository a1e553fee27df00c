package dev.lowlight.data.dataset;

import dev.lowlight.data.coco.BoxXywh;
import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoWriter;
import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Rle;
import dev.lowlight.data.coco.Segmentation;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.scenes.Category;
import dev.lowlight.data.scenes.Scene;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.data.scenes.SceneObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Writes procedural scenes as a COCO dataset: {@code DIR/images/000001.png ...} and {@code
 * DIR/annotations.json} with compressed-RLE masks exact to the rendered pixels. Image {@code i}
 * (1-based id) is generated from seed {@code mix(seed, i)}, so the same seed gives the same bytes
 * whatever the number of threads.
 *
 * <pre>{@code
 * CocoDataset ds = SceneDataset.write(Path.of("data/train"), 200, 1L, SceneGenerator.builder().build(), ProgressListener.NONE);
 * }</pre>
 */
public final class SceneDataset {

  /** Name of the annotation file inside a dataset directory. */
  public static final String ANNOTATIONS = "annotations.json";

  /** Name of the image directory inside a dataset directory. */
  public static final String IMAGES = "images";

  private SceneDataset() {}

  /** Generates {@code count} scenes in parallel and writes them; returns the dataset written. */
  public static CocoDataset write(Path dir, int count, long seed, SceneGenerator generator, ProgressListener progress)
      throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    dev.lowlight.api.io.AtomicFiles.removeLeftovers(dir);
    Path images = Files.createDirectories(dir.resolve(IMAGES));
    AtomicInteger done = new AtomicInteger();
    List<List<CocoAnnotation>> perImage = new ArrayList<>();
    List<CocoImage> imageList = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      perImage.add(null);
      imageList.add(null);
    }
    try {
      IntStream.range(0, count).parallel().forEach(i -> {
        long id = i + 1L;
        Scene scene = generator.generate(mix(seed, id));
        String name = String.format(Locale.ROOT, "%06d.png", id);
        ImageFiles.write(scene.image(), images.resolve(name));
        imageList.set(i, new CocoImage(id, name, scene.image().width(), scene.image().height()));
        perImage.set(i, annotations(scene, id));
        progress.progress(done.incrementAndGet(), count);
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    List<CocoAnnotation> all = new ArrayList<>();
    long annId = 1;
    for (List<CocoAnnotation> list : perImage) {
      for (CocoAnnotation a : list) {
        all.add(new CocoAnnotation(annId++, a.imageId(), a.categoryId(), a.bbox(), a.area(), false, a.segmentation()));
      }
    }
    CocoDataset dataset = new CocoDataset(Map.of("description", "lowlight procedural scenes", "seed", seed),
        imageList, categories(), all);
    CocoWriter.writeDataset(dataset, dir.resolve(ANNOTATIONS));
    return dataset;
  }

  /** The scene categories as COCO categories. */
  public static List<CocoCategory> categories() {
    List<CocoCategory> out = new ArrayList<>();
    for (Category c : SceneGenerator.CATEGORIES) {
      out.add(new CocoCategory(c.id(), c.name(), "shape"));
    }
    return out;
  }

  private static List<CocoAnnotation> annotations(Scene scene, long imageId) {
    List<CocoAnnotation> out = new ArrayList<>();
    for (SceneObject o : scene.objects()) {
      int h = o.height();
      int w = o.width();
      byte[] columnMajor = new byte[h * w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          if (o.mask()[y * w + x]) {
            columnMajor[x * h + y] = 1;
          }
        }
      }
      Rle rle = MaskApi.encode(columnMajor, h, w);
      double[] box = MaskApi.toBbox(rle);
      out.add(new CocoAnnotation(0, imageId, o.categoryId(), new BoxXywh(box[0], box[1], box[2], box[3]),
          rle.area(), false, new Segmentation.CompressedRle(h, w, MaskApi.toCompressedString(rle))));
    }
    return out;
  }

  /** A well-mixed per-item seed (splitmix64 finaliser), independent of thread scheduling. */
  static long mix(long seed, long item) {
    long z = seed * 0x9E3779B97F4A7C15L + item;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
