package dev.lowlight.model.io;

import dev.lowlight.model.weights.LoadReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link TorchvisionImport#maskRcnn} did.
 *
 * @param source the checkpoint read
 * @param outputDir the model directory written
 * @param numClasses classes including background, from {@code roi_heads.box_predictor.cls_score.weight}
 * @param classNames the class names the model carries (COCO's for 91 classes)
 * @param renamed checkpoint key → model key, for keys of the other torchvision generation
 * @param dropped checkpoint keys left out on purpose ({@code num_batches_tracked})
 * @param load missing and unexpected keys (clean after a strict import)
 */
public record ImportReport(Path source, Path outputDir, int numClasses, List<String> classNames,
    Map<String, String> renamed, List<String> dropped, LoadReport load) {

  /** Copies the collections. */
  public ImportReport {
    classNames = List.copyOf(classNames);
    renamed = Map.copyOf(renamed);
    dropped = List.copyOf(dropped);
  }

  /** One-paragraph summary for the command line. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("imported ").append(source).append(" into ").append(outputDir).append(": ").append(numClasses)
        .append(" classes, ").append(renamed.size()).append(" keys renamed from the other torchvision spelling");
    if (!dropped.isEmpty()) {
      sb.append(", ").append(dropped.size()).append(" num_batches_tracked counters dropped");
    }
    if (!load.isClean()) {
      sb.append("\n").append(load.describe());
    }
    return sb.toString();
  }
}
