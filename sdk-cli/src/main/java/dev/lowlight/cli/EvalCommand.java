package dev.lowlight.cli;

import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoFormatException;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.eval.CocoEvaluator;
import dev.lowlight.data.eval.EvalJson;
import dev.lowlight.data.eval.EvalResult;
import dev.lowlight.data.eval.IouType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight eval}: COCO evaluation of a results file, with pycocotools' numbers. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Evaluate COCO results (bbox and/or segm) against ground truth with the COCOeval algorithm;",
        "prints pycocotools' 12-line summary and, with --json, writes {\"bbox\": {...}, \"segm\": {...}}."})
final class EvalCommand implements Callable<Integer> {

  /** Which IoU types to evaluate. */
  enum Types { bbox, segm, both }

  @Option(names = "--gt", required = true, description = "Ground-truth COCO annotation file.")
  Path gt;

  @Option(names = "--dt", required = true, description = "COCO results file (image_id, category_id, bbox, score[, segmentation]).")
  Path dt;

  @Option(names = "--iou-type", defaultValue = "both", description = "bbox, segm or both (default: ${DEFAULT-VALUE}; "
      + "segm is skipped with a note when the results carry no masks).")
  Types types;

  @Option(names = "--json", description = "Write the metrics as JSON to this file.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    for (Path f : List.of(gt, dt)) {
      if (!Files.isRegularFile(f)) {
        throw new UserError(f + ": no such file");
      }
    }
    CocoDataset truth;
    List<CocoResult> results;
    try {
      truth = CocoReader.readDataset(gt);
      results = CocoReader.readResults(dt);
    } catch (CocoFormatException e) {
      throw new UserError(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    Map<IouType, EvalResult> metrics = new LinkedHashMap<>();
    boolean masks = !results.isEmpty() && results.stream().allMatch(r -> r.segmentation() != null);
    for (IouType t : IouType.values()) {
      boolean wanted = types == Types.both || types.name().equals(t.name().toLowerCase(java.util.Locale.ROOT));
      if (!wanted) {
        continue;
      }
      if (t == IouType.SEGM && !masks) {
        if (types == Types.segm) {
          throw new UserError(dt + ": the results carry no segmentation; evaluate with --iou-type bbox");
        }
        out.println("(segm skipped: the results carry no segmentation)");
        continue;
      }
      EvalResult r;
      try {
        r = CocoEvaluator.evaluate(truth, results, t);
      } catch (IllegalArgumentException e) {
        throw new UserError(dt + ": " + e.getMessage());
      }
      metrics.put(t, r);
      out.println("IoU type: " + t.name().toLowerCase(java.util.Locale.ROOT));
      out.println(r.summaryText());
    }
    if (json != null) {
      EvalJson.write(metrics, json);
      out.println("metrics: " + json.toAbsolutePath());
    }
    return 0;
  }
}
