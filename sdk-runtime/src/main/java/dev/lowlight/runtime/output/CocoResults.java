package dev.lowlight.runtime.output;

import dev.lowlight.data.coco.BoxXywh;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.CocoWriter;
import dev.lowlight.data.coco.Segmentation;
import dev.lowlight.runtime.BoxXyxy;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.Instance;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Detections in COCO's results format: {@code bbox} as xywh, {@code segmentation} as compressed
 * RLE (string counts, the form pycocotools' {@code loadRes} reads), written through
 * {@link CocoWriter#writeResults(List, Path)}.
 *
 * <pre>{@code
 * List<CocoResult> all = new ArrayList<>();
 * all.addAll(CocoResults.from(imageId, predictor.predict(file), categoryIds));
 * CocoResults.write(all, Path.of("results.json"));
 * }</pre>
 */
public final class CocoResults {

  private CocoResults() {}

  /**
   * The results of one image.
   *
   * @param imageId the COCO image id
   * @param detections the predictor's output for that image
   * @param categoryMap model label to COCO category id; {@code null} uses the label itself (models
   *     trained on a dataset whose category ids are the labels)
   * @throws IllegalArgumentException when a label has no category in a non-null map
   */
  public static List<CocoResult> from(long imageId, Detections detections, Map<Integer, Long> categoryMap) {
    List<CocoResult> out = new ArrayList<>(detections.size());
    for (Instance in : detections.instances()) {
      long category;
      if (categoryMap == null) {
        category = in.label();
      } else {
        Long c = categoryMap.get(in.label());
        if (c == null) {
          throw new IllegalArgumentException("label " + in.label() + " (" + in.className()
              + ") has no COCO category in the map; known labels: " + categoryMap.keySet());
        }
        category = c;
      }
      BoxXyxy b = in.box();
      BoxXywh box = new BoxXywh(b.x1(), b.y1(), b.width(), b.height());
      Segmentation seg = new Segmentation.CompressedRle(in.imageHeight(), in.imageWidth(), in.rleCounts());
      out.add(new CocoResult(imageId, category, box, in.score(), seg));
    }
    return out;
  }

  /** Writes {@code results} as a COCO results file (a JSON list). */
  public static void write(List<CocoResult> results, Path file) throws IOException {
    CocoWriter.writeResults(results, file);
  }
}
