package com.example.lowlight.integration;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.config.SolverConfig;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.dataset.ProgressListener;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.eval.CocoEvaluator;
import dev.lowlight.data.eval.EvalJson;
import dev.lowlight.data.eval.EvalResult;
import dev.lowlight.data.eval.EvalStats;
import dev.lowlight.data.eval.IouType;
import dev.lowlight.data.loading.CocoLoader;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.train.Devices;
import dev.lowlight.train.Trainer;
import dev.lowlight.train.TrainingReport;
import dev.lowlight.train.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's experiment in one Java program, through the SDK's public API: a COCO dataset (yours,
 * or procedural scenes), its synthetic low-light twin (the {@code maet} preset), a Mask R-CNN with
 * weighted non-local blocks built from a configuration file, "pretrained" on the clean images (the
 * stand-in for torchvision's COCO weights), fine-tuned with the paper's recipe ({@code trainable:
 * backbone-only}) on the dark images, and evaluated on a dark validation split before and after.
 *
 * <pre>
 * mvn compile exec:java -Dexec.args="--output runs/integration"
 * mvn compile exec:java -Dexec.args="--train-ann A.json --train-images DIR --val-ann B.json --val-images DIR2
 *     --config my-model.yaml --output runs/mine"
 * </pre>
 *
 * <p>Writes into the output directory:
 *
 * <pre>
 * OUT/data/{train,val}/{clean,dark}/   the datasets (clean only when generated here)
 * OUT/pretrain/                        the pretraining run; OUT/pretrain/model is the "pretrained" model
 * OUT/finetune/                        the fine-tuning run; OUT/finetune/model is the result
 * OUT/eval-pretrained.json             COCO bbox and segm metrics on the dark validation split, before ...
 * OUT/eval-finetuned.json              ... and after fine-tuning (as `lowlight eval --json` writes them)
 * </pre>
 */
public final class LowLightFineTuning {

  private LowLightFineTuning() {}

  /**
   * Runs the experiment; see {@link Settings#parse} for the arguments.
   *
   * @param args command-line arguments
   * @throws IOException when a dataset or output file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    Settings s = Settings.parse(args);
    Path out = Files.createDirectories(s.output());

    // 1. A clean COCO dataset and its low-light twin, for training and for validation.
    Split train = s.trainAnn() != null ? new Split(s.trainAnn(), s.trainImages())
        : scenes(out.resolve("data/train/clean"), s.trainCount(), s.seed());
    Split val = s.valAnn() != null ? new Split(s.valAnn(), s.valImages())
        : scenes(out.resolve("data/val/clean"), s.valCount(), s.seed() + 1000);
    Split darkTrain = lowLight(train, out.resolve("data/train/dark"), s.seed());
    Split darkVal = lowLight(val, out.resolve("data/val/dark"), s.seed() + 1000);

    // 2. The model: the configuration file with the dataset's classes.
    List<String> classes = classNames(train.annotations());
    ModelConfig file = s.config() != null ? ConfigLoader.load(s.config()) : bundledConfig();
    ModelConfig config = new ModelConfig(classes.size() + 1, classes, file.backbone(), file.denoise(), file.neck(),
        file.transform(), file.rpn(), file.roiHeads(), file.solver());
    CocoDataset darkValGt = CocoReader.readDataset(darkVal.annotations());
    Validator darkValidation = new Validator(darkValGt, darkVal.images());

    Device device = Devices.parse(s.device());
    try (NDManager manager = NDManager.newBaseManager(device)) {
      Engine.getInstance().setRandomSeed((int) s.seed());
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);

      // 3. "Pretrain" every part on the clean images: the stand-in for a COCO-pretrained model.
      train(model, train, withSolver(config.solver(), "all", s.pretrainIterations()), out.resolve("pretrain"), s,
          device);
      Validator.Result before = darkValidation.evaluate(model);
      write(before, darkValGt, out.resolve("eval-pretrained.json"));

      // 4. The paper's recipe: fine-tune only the backbone and its denoisers on the low-light images.
      train(model, darkTrain, withSolver(config.solver(), "backbone-only", s.finetuneIterations()),
          out.resolve("finetune"), s, device);
      Validator.Result after = darkValidation.evaluate(model);
      write(after, darkValGt, out.resolve("eval-finetuned.json"));

      System.out.printf(Locale.ROOT, "%nlow-light validation, %d images   bbox AP    AP50  segm AP    AP50%n",
          darkValGt.images().size());
      print("pretrained on clean images", before, darkValGt);
      print("fine-tuned, backbone only", after, darkValGt);
      System.out.println("fine-tuned model: " + out.resolve("finetune/model").toAbsolutePath());
    }
  }

  /** Trains {@code model} in place for the solver's {@code max_iters}; the run writes {@code runDir/model}. */
  private static void train(MaskRcnn model, Split data, SolverConfig solver, Path runDir, Settings s, Device device) {
    ModelConfig config = model.config();
    try (CocoLoader loader = CocoLoader.builder().setAnnotations(data.annotations()).setImageDir(data.images())
        .setBatchSize(solver.imsPerBatch()).optResize(config.transform().minSize(), config.transform().maxSize())
        .optClassNames(config.classNames()).optSeed(s.seed()).optWorkers(1).build()) {
      TrainingReport report = Trainer.builder().setModel(model).setTrainData(loader).setRunDirectory(runDir)
          .optSolver(solver).optSeed(s.seed()).optDevice(device).optDatasetFiles(List.of(data.annotations()))
          .build().run();
      System.out.printf(Locale.ROOT, "%s: %d iterations (trainable: %s) in %.1f s, last loss %.3f%n", runDir,
          report.iterations(), solver.trainable(), report.seconds(), report.finalMetrics().get("loss"));
    }
  }

  /** A COCO dataset: annotation file and the directory its {@code file_name}s are relative to. */
  private record Split(Path annotations, Path images) {}

  /** Procedural scenes at the bundled configuration's size (128x96), 2-4 objects each. */
  private static Split scenes(Path dir, int count, long seed) throws IOException {
    SceneGenerator generator = SceneGenerator.builder().optWidth(128).optHeight(96).optMinObjects(2)
        .optMaxObjects(4).optMinObjectSize(16).optMaxObjectSize(40).build();
    SceneDataset.write(dir, count, seed, generator, ProgressListener.NONE);
    return new Split(dir.resolve(SceneDataset.ANNOTATIONS), dir.resolve(SceneDataset.IMAGES));
  }

  /** The low-light twin of {@code clean}, darkened with the {@code maet} synthesis preset. */
  private static Split lowLight(Split clean, Path dir, long seed) throws IOException {
    @SuppressWarnings("unchecked")
    SynthesizerProvider<Record> maet = (SynthesizerProvider<Record>) PluginRegistry.load().synthesizer("maet");
    LowLightTwin.Synthesis synthesis = new LowLightTwin.Synthesis("maet", maet.defaultOptions(),
        maet.create(maet.defaultOptions()));
    LowLightTwin.Summary summary = LowLightTwin.make(clean.annotations(), clean.images(), dir, synthesis, seed,
        Runtime.getRuntime().availableProcessors(), ProgressListener.NONE);
    if (!summary.failures().isEmpty()) {
      throw new IOException(summary.failures().size() + " images of " + clean.annotations()
          + " could not be darkened, first: " + summary.failures().get(0));
    }
    return new Split(dir.resolve(SceneDataset.ANNOTATIONS), dir.resolve(SceneDataset.IMAGES));
  }

  /** Category names by increasing id: label k is the k-th, as the loader and the validator number them. */
  private static List<String> classNames(Path annotations) throws IOException {
    CocoDataset ds = CocoReader.readDataset(annotations);
    return ds.categories().stream().sorted(Comparator.comparingLong(CocoCategory::id)).map(CocoCategory::name)
        .toList();
  }

  private static ModelConfig bundledConfig() {
    try (InputStream in = LowLightFineTuning.class.getResourceAsStream("/wnlb-tiny.yaml")) {
      if (in == null) {
        throw new IllegalStateException("wnlb-tiny.yaml is missing from the classpath");
      }
      return ConfigLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled wnlb-tiny.yaml", e);
    }
  }

  /** The configuration's solver with another freeze policy and length (warm-up shortened to fit). */
  private static SolverConfig withSolver(SolverConfig s, String trainable, int iterations) {
    return new SolverConfig(s.optimizer(), s.baseLr(), s.momentum(), s.weightDecay(), s.schedule(), s.steps(),
        s.gamma(), Math.min(s.warmupIters(), iterations / 4), s.warmupFactor(), iterations, s.imsPerBatch(),
        s.clipGradNorm(), s.accumulate(), trainable);
  }

  /** Writes both rows as `lowlight eval --json` does. */
  private static void write(Validator.Result r, CocoDataset gt, Path file) throws IOException {
    Map<IouType, EvalResult> results = new LinkedHashMap<>();
    results.put(IouType.BBOX, r.bbox());
    results.put(IouType.SEGM, segm(r, gt));
    EvalJson.write(results, file);
  }

  /**
   * The mask metrics; the validator leaves them out when the model detects nothing (as a barely
   * trained one may), where COCO's answer is AP 0, which the evaluator gives for no detections.
   */
  private static EvalResult segm(Validator.Result r, CocoDataset gt) {
    return r.segm() != null ? r.segm() : CocoEvaluator.evaluate(gt, List.of(), IouType.SEGM);
  }

  private static void print(String row, Validator.Result r, CocoDataset gt) {
    EvalStats box = r.bbox().stats();
    EvalStats mask = segm(r, gt).stats();
    System.out.printf(Locale.ROOT, "  %-28s %7.3f %7.3f %8.3f %7.3f%n", row, box.ap(), box.ap50(), mask.ap(),
        mask.ap50());
  }
}
