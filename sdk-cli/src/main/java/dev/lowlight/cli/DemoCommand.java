package dev.lowlight.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.eval.EvalStats;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.loading.CocoLoader;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.export.ExportOptions;
import dev.lowlight.model.export.ExportResult;
import dev.lowlight.model.export.OnnxExporter;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.model.weights.LoadReport;
import dev.lowlight.model.weights.Safetensors;
import dev.lowlight.model.weights.StateDictLoader;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.output.ComparisonGrid;
import dev.lowlight.runtime.output.Overlay;
import dev.lowlight.train.Trainer;
import dev.lowlight.train.TrainingReport;
import dev.lowlight.train.Validator;
import dev.lowlight.zoo.Manifest;
import dev.lowlight.zoo.ModelZoo;
import dev.lowlight.zoo.ZooModel;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lowlight demo}: the paper's protocol in miniature, end to end on this machine. The zoo's
 * scene-pretrained Mask R-CNN is evaluated on the low-light twin of new validation scenes (before),
 * fine-tuned backbone-only with weighted non-local blocks after res3, res4 and res5 on scenes
 * darkened on the fly, evaluated again (after), exported to ONNX, run with ONNX Runtime, and drawn:
 * clean | dark | before | after for a few validation images.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"The quickstart, the paper's protocol in miniature: the zoo's scene-pretrained Mask R-CNN on the",
        "low-light twin of new scenes (before), fine-tuned backbone-only with weighted non-local blocks on scenes",
        "darkened on the fly, evaluated again (after), exported to ONNX and run with ONNX Runtime; writes",
        "OUTPUT/overlay.png (clean | dark | before | after) and OUTPUT/summary.json."})
final class DemoCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

  /** The zoo model the demo starts from. */
  static final String ZOO_MODEL = "zoo:scenes-r18";

  /**
   * The fine-tuning layer over the zoo model's configuration: the paper's block (embedded Gaussian,
   * {@code w} starting at 0) after res3–res5, frozen batch norm, backbone-only.
   */
  static final String FINE_TUNE = """
      backbone: {options: {norm: frozen}}
      denoise: {name: weighted-non-local, stages: [res3, res4, res5]}
      solver:
        trainable: backbone-only
        optimizer: adamw
        base_lr: 0.0005
        weight_decay: 0.0001
        schedule: cosine
        warmup_iters: 20
        warmup_factor: 0.1
        ims_per_batch: 4
        clip_grad_norm: 5.0
      """;

  @Option(names = "--output", defaultValue = "demo-output", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--model", defaultValue = ZOO_MODEL,
      description = "The pretrained model to start from: zoo:NAME or a model directory (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--train-images", defaultValue = "1000", description = "Fine-tuning scenes (default: ${DEFAULT-VALUE}).")
  int trainImages;

  @Option(names = "--val-images", defaultValue = "48", description = "Validation scenes (default: ${DEFAULT-VALUE}).")
  int valImages;

  @Option(names = "--iterations", defaultValue = "600", description = "Fine-tuning iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--preset", defaultValue = "maet", description = "Low-light synthesis preset (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of data, synthesis and training (default: ${DEFAULT-VALUE}).")
  long seed;

  @Spec CommandSpec spec;

  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private long lap = System.nanoTime();

  @Override
  public Integer call() throws IOException {
    long started = System.nanoTime();
    if (trainImages < 1 || valImages < 4 || iterations < 1) {
      throw new UserError("need --train-images >= 1, --val-images >= 4 and --iterations >= 1");
    }
    Files.createDirectories(output);
    LOG.info("engine {} {} on {}; {} plugins", Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
        Device.cpu(), PluginRegistry.load().list().size());
    Path pretrained = pretrainedDirectory();
    ModelConfig zooConfig = ModelDirectory.config(pretrained);
    SceneGenerator generator = scenes(pretrained);

    Path data = output.resolve("data");
    Path train = data.resolve("train");
    Path valClean = data.resolve("val/clean");
    Path valDark = data.resolve("val/dark");
    try (ProgressBar bar = new ProgressBar("train scenes", trainImages)) {
      SceneDataset.write(train, trainImages, seed * 7919 + 101, generator, (done, total) -> bar.step(1, ""));
    }
    try (ProgressBar bar = new ProgressBar("val scenes", valImages)) {
      SceneDataset.write(valClean, valImages, seed * 7919 + 202, generator, (done, total) -> bar.step(1, ""));
    }
    try (ProgressBar bar = new ProgressBar("val low light", valImages)) {
      LowLightTwin.make(valClean.resolve(SceneDataset.ANNOTATIONS), valClean.resolve(SceneDataset.IMAGES), valDark,
          LowLightTwin.Synthesis.create(preset, Map.of()), seed,
          Runtime.getRuntime().availableProcessors(), (done, total) -> bar.step(1, ""));
    }
    stage("data");

    CocoDataset valGt = CocoReader.readDataset(valDark.resolve(SceneDataset.ANNOTATIONS));
    Path darkImages = valDark.resolve(SceneDataset.IMAGES);
    List<String> pictured = pictured(valGt);
    Validator.Result before;
    List<Detections> beforeDetections = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      MaskRcnn zoo = ModelDirectory.load(pretrained, manager);
      before = new Validator(valGt, darkImages).evaluate(zoo);
      List<String> names = EagerModels.classNames(zoo.config());
      for (String file : pictured) {
        beforeDetections.add(EagerModels.toDetections(zoo.predict(ImageFiles.read(darkImages.resolve(file))), names, 0f));
      }
    }
    stage("before");

    ModelConfig config = ConfigLoader.parse(List.of(ConfigLoader.toYaml(zooConfig), FINE_TUNE,
        "solver: {max_iters: " + iterations + "}\n"), true);
    Path run = output.resolve("run");
    Path onnx = output.resolve("model.onnx");
    TrainingReport report;
    ExportResult exported;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Engine.getInstance().setRandomSeed((int) seed);
      MaskRcnn tuned = MaskRcnn.builder().setConfig(config).build().initialize(manager);
      LoadReport loaded = StateDictLoader.load(tuned.parameters(),
          Safetensors.read(pretrained.resolve(ModelDirectory.WEIGHTS)), "", false);
      LOG.info("started from {}: {} parameters of the weighted non-local blocks are new (w = 0: the blocks start"
          + " as the identity)", model, loaded.missingUnder("backbone.denoise.").size());
      try (CocoLoader loader = CocoLoader.builder().setAnnotations(train.resolve(SceneDataset.ANNOTATIONS))
              .setImageDir(train.resolve(SceneDataset.IMAGES)).setBatchSize(config.solver().imsPerBatch())
              .optResize(config.transform().minSize(), config.transform().maxSize())
              .optClassNames(config.classNames()).optSeed(seed).optSynthesizer(preset).optSynthesisSeed(seed)
              .optWorkers(1).build();
          ProgressBar bar = new ProgressBar("fine-tune", iterations)) {
        report = Trainer.builder().setModel(tuned).setTrainData(loader).setRunDirectory(run)
            .optValidation(valGt, darkImages, iterations).optSeed(seed)
            .optCommandLine(List.of("lowlight", "demo", "--model", model, "--seed", Long.toString(seed)))
            .optDatasetFiles(List.of(train.resolve(SceneDataset.ANNOTATIONS)))
            .optProgress(p -> bar.step(1, String.format(Locale.ROOT, "loss %.3f", p.losses().getOrDefault("loss", 0.0))))
            .build().run();
      }
      stage("fine_tune");
      exported = OnnxExporter.export(tuned, onnx, ExportOptions.defaults());
      stage("export");
    }

    List<Detections> afterDetections = new ArrayList<>();
    try (LowlightPredictor predictor = LowlightPredictor.open(onnx)) {
      for (String file : pictured) {
        afterDetections.add(predictor.predict(ImageFiles.read(darkImages.resolve(file))));
      }
    }
    stage("onnx_runtime");

    Path overlay = output.resolve("overlay.png");
    ComparisonGrid grid = new ComparisonGrid(List.of("clean", "dark (" + preset + ")", "before: pretrained",
        "after: fine-tuned, ONNX Runtime"), 320, 0.5f);
    for (int i = 0; i < pictured.size(); i++) {
      RgbImage clean = ImageFiles.read(valClean.resolve(SceneDataset.IMAGES).resolve(pictured.get(i)));
      var dark = Overlay.toBufferedImage(ImageFiles.read(darkImages.resolve(pictured.get(i))));
      grid.addRow(List.of(ComparisonGrid.Panel.of(Overlay.toBufferedImage(clean), null),
          ComparisonGrid.Panel.of(dark, null), ComparisonGrid.Panel.of(dark, beforeDetections.get(i)),
          ComparisonGrid.Panel.of(dark, afterDetections.get(i))));
    }
    EvalStats beforeSegm = before.segm().stats();
    double afterSegm50 = report.finalMetrics().getOrDefault("segm.AP50", -1.0);
    grid.write(overlay, String.format(Locale.ROOT, "dark validation, segm AP50: pretrained %.3f, fine-tuned %.3f"
        + " (%d iterations); detections with score >= 0.5", beforeSegm.ap50(), afterSegm50, report.iterations()));
    stage("picture");

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("bbox", metrics(report.finalMetrics(), "bbox."));
    summary.put("segm", metrics(report.finalMetrics(), "segm."));
    Map<String, Object> pre = new LinkedHashMap<>();
    pre.put("model", model);
    pre.put("bbox", before.bbox().stats().asMap());
    pre.put("segm", before.segm().stats().asMap());
    summary.put("pretrained", pre);
    summary.put("iterations", report.iterations());
    summary.put("preset", preset);
    seconds.put("total", (System.nanoTime() - started) / 1e9);
    summary.put("seconds", seconds);
    summary.put("model", run.resolve("model").toAbsolutePath().toString());
    summary.put("onnx", onnx.toAbsolutePath().toString());
    summary.put("overlay", overlay.toAbsolutePath().toString());
    Path file = output.resolve("summary.json");
    Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary));

    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "dark validation (%d scenes, %s): segm AP50 %.3f before, %.3f after %d iterations of"
        + " fine-tuning (segm AP %.3f -> %.3f, bbox AP50 %.3f -> %.3f)%n", valImages, preset, beforeSegm.ap50(),
        afterSegm50, report.iterations(), beforeSegm.ap(), report.finalMetrics().getOrDefault("segm.AP", -1.0),
        before.bbox().stats().ap50(), report.finalMetrics().getOrDefault("bbox.AP50", -1.0));
    out.println("picture:          " + overlay.toAbsolutePath() + " (clean | dark | before | after)");
    out.println("run directory:    " + run.toAbsolutePath() + " (metrics.jsonl, training.png, checkpoints)");
    out.printf(Locale.ROOT, "ONNX model:       %s (%d nodes)%n", onnx.toAbsolutePath(), exported.nodes());
    out.printf(Locale.ROOT, "summary:          %s (%.0f s in all)%n", file.toAbsolutePath(), seconds.get("total"));
    return 0;
  }

  private Path pretrainedDirectory() {
    try {
      return ModelZoo.resolve(model);
    } catch (IllegalArgumentException e) {
      throw new UserError("--model " + model + ": " + e.getMessage());
    }
  }

  /** The zoo model's own scenes, or the zoo's default when the model is a plain directory. */
  private SceneGenerator scenes(Path pretrained) {
    String zooModel = ModelZoo.isReference(model) ? model : ZOO_MODEL;
    Manifest.Scenes scenes = ModelZoo.get(zooModel.substring(ModelZoo.SCHEME.length())).manifest().scenes();
    LOG.info("scenes of {}x{} with {}-{} objects of {}-{} px (as {} was trained on)", scenes.width(), scenes.height(),
        scenes.minObjects(), scenes.maxObjects(), scenes.minSize(), scenes.maxSize(), pretrained);
    return scenes.generator();
  }

  /** The four validation images drawn: the first four. */
  private static List<String> pictured(CocoDataset gt) {
    return gt.images().stream().limit(4).map(image -> image.fileName()).toList();
  }

  private void stage(String name) {
    long now = System.nanoTime();
    seconds.put(name, (now - lap) / 1e9);
    lap = now;
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
}
