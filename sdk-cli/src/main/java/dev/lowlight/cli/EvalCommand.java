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
    description = {"Evaluate COCO results (bbox and/or segm) against ground truth with the COCOeval algorithm, or",
        "predict with --model (model.onnx or a model directory) on --images first;",
        "prints pycocotools' 12-line summary and, with --json, writes {\"bbox\": {...}, \"segm\": {...}}."})
final class EvalCommand implements Callable<Integer> {

  /** Which IoU types to evaluate. */
  enum Types { bbox, segm, both }

  @Option(names = {"--gt", "--ann"}, required = true, description = "Ground-truth COCO annotation file.")
  Path gt;

  @Option(names = "--dt", description = "COCO results file: image_id, category_id, bbox, score and optionally segmentation.")
  Path dt;

  @Option(names = "--model", converter = ModelPath.class,
      description = "Instead of --dt: predict with this model.onnx, model directory or zoo:NAME first.")
  Path model;

  @Option(names = "--images", description = "With --model: the directory of the ground truth's images.")
  Path images;

  @Option(names = "--category-map", description = "With --model: JSON object mapping model class names to dataset categories.")
  Path categoryMap;

  @Option(names = "--device", defaultValue = "cpu", description = "With an .onnx --model: cpu, cuda[:N] or auto (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--iou-type", defaultValue = "both", description = "bbox, segm or both (default: ${DEFAULT-VALUE}; "
      + "segm is skipped with a note when the results carry no masks).")
  Types types;

  @Option(names = "--json", description = "Write the metrics as JSON to this file.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if ((dt == null) == (model == null)) {
      throw new UserError("give either --dt RESULTS.json or --model MODEL (with --images DIR)");
    }
    if (model != null && images == null) {
      throw new UserError("--model needs --images, the directory of " + gt + "'s images");
    }
    for (Path f : dt == null ? List.of(gt) : List.of(gt, dt)) {
      if (!Files.isRegularFile(f)) {
        throw new UserError(f + ": no such file");
      }
    }
    CocoDataset truth;
    List<CocoResult> results;
    try {
      truth = CocoReader.readDataset(gt);
      results = dt != null ? CocoReader.readResults(dt) : predict(truth);
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

  /** Predicts every image of the ground truth with {@code --model}; categories matched by name. */
  private List<CocoResult> predict(CocoDataset truth) throws IOException {
    List<CocoResult> out = new java.util.ArrayList<>();
    try (PredictCommand.ImageModel m = PredictCommand.open(model, device, 0.05f);
        ProgressBar bar = new ProgressBar("predict", truth.images().size())) {
      java.util.Map<Integer, Long> labels;
      try {
        labels = categoryMap != null ? dev.lowlight.data.coco.CategoryMapping.fromFile(categoryMap, m.classNames(),
            truth.categories()).labelToCategory()
            : dev.lowlight.data.coco.CategoryMapping.byName(m.classNames(), truth.categories()).labelToCategory();
      } catch (IllegalArgumentException e) {
        throw new UserError(gt + ": " + e.getMessage());
      }
      for (var image : truth.images()) {
        Path file = images.resolve(image.fileName());
        dev.lowlight.api.structures.RgbImage rgb;
        try {
          rgb = dev.lowlight.data.image.ImageFiles.read(file);
        } catch (dev.lowlight.data.image.ImageReadException e) {
          throw new UserError(e.getMessage());
        }
        out.addAll(dev.lowlight.runtime.output.CocoResults.from(image.id(), PredictCommand.mapped(m.predict(rgb), labels),
            labels));
        bar.step();
      }
    }
    return out;
  }
}
