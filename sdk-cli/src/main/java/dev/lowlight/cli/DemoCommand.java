package dev.lowlight.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.image.PairGrid;
import dev.lowlight.data.loading.CocoLoader;
import dev.lowlight.data.scenes.Category;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.export.ExportOptions;
import dev.lowlight.model.export.ExportResult;
import dev.lowlight.model.export.OnnxExporter;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.output.Overlay;
import dev.lowlight.train.ModelConfigs;
import dev.lowlight.train.NonFiniteLossException;
import dev.lowlight.train.Trainer;
import dev.lowlight.train.TrainingReport;
import dev.lowlight.train.Validator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lowlight demo}: the quickstart, end to end on this machine. It generates a procedural
 * scene dataset and its low-light twin, trains a small Mask R-CNN with weighted non-local blocks
 * on the dark images (CPU is enough), evaluates it on the dark validation split, exports it to
 * ONNX, runs the exported file with ONNX Runtime and writes an overlay PNG.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"The quickstart: procedural scenes -> low-light twin -> train a small Mask R-CNN with weighted",
        "non-local blocks -> COCO evaluation -> ONNX export -> ONNX Runtime prediction -> overlay PNG.",
        "Writes OUTPUT/summary.json ({\"bbox\": {...}, \"segm\": {...}} as `lowlight eval --json`, plus timings)."})
final class DemoCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

  @Option(names = "--output", defaultValue = "demo-output", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--train-images", defaultValue = "1000", description = "Training scenes (default: ${DEFAULT-VALUE}).")
  int trainImages;

  @Option(names = "--val-images", defaultValue = "16", description = "Validation scenes (default: ${DEFAULT-VALUE}).")
  int valImages;

  @Option(names = "--iterations", defaultValue = "2500", description = "Training iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of data, synthesis and training (default: ${DEFAULT-VALUE}).")
  long seed;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    long started = System.nanoTime();
    Files.createDirectories(output);
    LOG.info("engine {} {} on {}; {} plugins", Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
        Device.cpu(), PluginRegistry.load().list().size());
    SceneGenerator generator = SceneGenerator.builder().optWidth(128).optHeight(96).optMinObjects(2).optMaxObjects(4)
        .optMinObjectSize(16).optMaxObjectSize(40).build();
    Path data = output.resolve("data");
    Path darkTrain = dataset(data, "train", trainImages, seed, generator);
    Path darkVal = dataset(data, "val", valImages, seed + 1000, generator);
    Path pairs = output.resolve("pairs.png");
    writePairs(data.resolve("val/clean"), darkVal, pairs);

    List<String> names = SceneGenerator.CATEGORIES.stream().map(Category::name).collect(Collectors.toList());
    ModelConfig config = ConfigLoader.parse(List.of(ModelConfigs.DEMO, "num_classes: " + (names.size() + 1) + "\nclass_names: "
        + names + "\nsolver: {max_iters: " + iterations + "}\n"), true);
    Path run = output.resolve("run");
    Path onnx = output.resolve("model.onnx");
    TrainingReport report;
    ExportResult exported;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Engine.getInstance().setRandomSeed((int) seed);
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);
      CocoDataset valGt = CocoReader.readDataset(darkVal.resolve(SceneDataset.ANNOTATIONS));
      try (CocoLoader loader = CocoLoader.builder().setAnnotations(darkTrain.resolve(SceneDataset.ANNOTATIONS))
              .setImageDir(darkTrain.resolve(SceneDataset.IMAGES)).setBatchSize(config.solver().imsPerBatch())
              .optResize(config.transform().minSize(), config.transform().maxSize()).optClassNames(names).optSeed(seed)
              .optWorkers(1).build();
          ProgressBar bar = new ProgressBar("train", iterations)) {
        long t0 = System.nanoTime();
        try {
          report = Trainer.builder().setModel(model).setTrainData(loader).setRunDirectory(run)
              .optValidation(valGt, darkVal.resolve(SceneDataset.IMAGES), Math.max(1, iterations / 4)).optSeed(seed)
              .optCommandLine(List.of("lowlight", "demo"))
              .optDatasetFiles(List.of(darkTrain.resolve(SceneDataset.ANNOTATIONS)))
              .optProgress(p -> bar.step(1, String.format(Locale.ROOT, "loss %.3f", p.losses().getOrDefault("loss", 0.0))))
              .build().run();
        } catch (NonFiniteLossException e) {
          // The trainer stops before applying a non-finite update, so the weights in memory are the
          // last good ones: the demo goes on with them rather than leaving the user with nothing.
          LOG.warn("{}; evaluating and exporting the weights of iteration {}", e.getMessage(), e.iteration() - 1);
          Validator.Result r = new Validator(valGt, darkVal.resolve(SceneDataset.IMAGES)).evaluate(model);
          Map<String, Double> m = new LinkedHashMap<>();
          r.bbox().stats().asMap().forEach((k, v) -> m.put("bbox." + k, v));
          r.segm().stats().asMap().forEach((k, v) -> m.put("segm." + k, v));
          report = new TrainingReport(m, r.primaryAp(), e.iteration() - 1, (System.nanoTime() - t0) / 1e9, run, null);
        }
      }
      exported = OnnxExporter.export(model, onnx, ExportOptions.defaults());
    }

    Path overlay = output.resolve("overlay.png");
    int found;
    Path image = darkVal.resolve(SceneDataset.IMAGES).resolve("000001.png");
    try (LowlightPredictor predictor = LowlightPredictor.open(onnx)) {
      RgbImage rgb = ImageFiles.read(image);
      Detections d = predictor.predict(rgb);
      found = d.instances().size();
      Overlay.write(rgb, d, predictor.info().classNames(), overlay);
    }

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("bbox", metrics(report.finalMetrics(), "bbox."));
    summary.put("segm", metrics(report.finalMetrics(), "segm."));
    summary.put("iterations", report.iterations());
    summary.put("training_seconds", report.seconds());
    summary.put("seconds", (System.nanoTime() - started) / 1e9);
    summary.put("model", run.resolve("model").toAbsolutePath().toString());
    summary.put("onnx", onnx.toAbsolutePath().toString());
    summary.put("overlay", overlay.toAbsolutePath().toString());
    summary.put("pairs", pairs.toAbsolutePath().toString());
    Path file = output.resolve("summary.json");
    Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary));

    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "trained %d iterations in %.0f s on the low-light twin; validation (dark): bbox AP %.3f,"
        + " segm AP %.3f, segm AP50 %.3f%n", report.iterations(), report.seconds(), value(report, "bbox.AP"),
        value(report, "segm.AP"), value(report, "segm.AP50"));
    out.println("clean/dark pairs: " + pairs.toAbsolutePath());
    out.println("run directory:    " + run.toAbsolutePath() + " (metrics.jsonl, training.png, checkpoints)");
    out.println("model directory:  " + run.resolve("model").toAbsolutePath());
    out.printf(Locale.ROOT, "ONNX model:       %s (%d nodes)%n", onnx.toAbsolutePath(), exported.nodes());
    out.printf(Locale.ROOT, "overlay:          %s (%d instances found by ONNX Runtime)%n", overlay.toAbsolutePath(), found);
    out.println("summary:          " + file.toAbsolutePath());
    return 0;
  }

  /** A clean scene dataset and its low-light twin; returns the twin's directory. */
  private Path dataset(Path data, String split, int count, long dataSeed, SceneGenerator generator) throws IOException {
    Path clean = data.resolve(split).resolve("clean");
    Path dark = data.resolve(split).resolve("dark");
    try (ProgressBar bar = new ProgressBar(split + " scenes", count)) {
      SceneDataset.write(clean, count, dataSeed, generator, (done, total) -> bar.step(1, ""));
    }
    @SuppressWarnings("unchecked")
    SynthesizerProvider<Record> maet = (SynthesizerProvider<Record>) PluginRegistry.load().synthesizer("maet");
    try (ProgressBar bar = new ProgressBar(split + " low light", count)) {
      LowLightTwin.make(clean.resolve(SceneDataset.ANNOTATIONS), clean.resolve(SceneDataset.IMAGES), dark,
          new LowLightTwin.Synthesis("maet", maet.defaultOptions(), maet.create(maet.defaultOptions())), dataSeed,
          Runtime.getRuntime().availableProcessors(), (done, total) -> bar.step(1, ""));
    }
    return dark;
  }

  private static void writePairs(Path clean, Path dark, Path png) throws IOException {
    List<RgbImage> c = new ArrayList<>();
    List<RgbImage> d = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      String name = String.format(Locale.ROOT, "%06d.png", i);
      Path a = clean.resolve(SceneDataset.IMAGES).resolve(name);
      if (Files.exists(a)) {
        c.add(ImageFiles.read(a));
        d.add(ImageFiles.read(dark.resolve(SceneDataset.IMAGES).resolve(name)));
      }
    }
    PairGrid.write(c, d, png);
  }

  private static Map<String, Double> metrics(Map<String, Double> all, String prefix) {
    Map<String, Double> m = new LinkedHashMap<>();
    all.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        m.put(k.substring(prefix.length()), v);
      }
    });
    return m;
  }

  private static double value(TrainingReport r, String key) {
    return r.finalMetrics().getOrDefault(key, -1.0);
  }
}
