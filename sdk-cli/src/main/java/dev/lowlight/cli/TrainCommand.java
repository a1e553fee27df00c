package dev.lowlight.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoFormatException;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.loading.CocoLoader;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.model.io.TorchvisionImport;
import dev.lowlight.model.io.TorchvisionKeys;
import dev.lowlight.model.weights.LoadReport;
import dev.lowlight.model.weights.Safetensors;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.StateDictLoader;
import dev.lowlight.model.weights.WeightsException;
import dev.lowlight.train.Devices;
import dev.lowlight.train.FileHashes;
import dev.lowlight.train.Trainer;
import dev.lowlight.train.TrainingProgress;
import dev.lowlight.train.TrainingReport;
import dev.lowlight.train.Validator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
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
import picocli.CommandLine;

/** {@code lowlight train}: trains or fine-tunes a Mask R-CNN on a COCO dataset. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train or fine-tune Mask R-CNN on a COCO dataset, optionally darkened on the fly (--synthesize).",
        "The paper's recipe is solver.trainable: backbone-only (backbone-fpn also trains the FPN) with --init a",
        "pretrained model. RUN_DIR holds the resolved config, the command line, seeds, versions, dataset hashes,",
        "metrics.jsonl, checkpoints, plots and the final model directory (RUN_DIR/model)."})
final class TrainCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

  @Option(names = "--config", description = "Model and solver configuration (JSON or YAML; default: torchvision's).")
  Path config;

  @Option(names = "--reproduce", paramLabel = "RUN_DIR", description = {"Repeat the run recorded in RUN_DIR into --output:"
      + " its command line with its resolved config; refused when a dataset file's SHA-256 differs from the record."})
  Path reproduce;

  @Option(names = "--train-ann", description = "COCO annotations of the training set (required unless --reproduce).")
  Path trainAnn;

  @Option(names = "--train-images", description = "Images of the training set (required unless --reproduce).")
  Path trainImages;

  @Option(names = "--synthesize", description = "Darken training images on the fly with this synthesizer (maet, lis, ...).")
  String synthesize;

  @Option(names = "--val-ann", description = "COCO annotations of the validation set.")
  Path valAnn;

  @Option(names = "--val-images", description = "Images of the validation set.")
  Path valImages;

  @Option(names = "--val-every", defaultValue = "500", description = "Validate every N iterations (default: ${DEFAULT-VALUE}).")
  int valEvery;

  @Option(names = "--output", description = "Run directory (required).")
  Path output;

  @Option(names = "--init", converter = ModelPath.class, description = "Start from a zoo model (zoo:NAME, see"
      + " lowlight zoo), a model directory, a torchvision Mask R-CNN .pth or an ImageNet ResNet .pth.")
  Path init;

  @Option(names = "--resume", description = "Continue the run in --output from its last checkpoint.")
  boolean resume;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu, gpu:N, or several GPUs for data-parallel training: gpu:0,1 or gpu:all"
      + " (solver.ims_per_batch a multiple of their count) (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--seed", defaultValue = "1", description = "Run seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--workers", defaultValue = "2", description = "Data loading threads (default: ${DEFAULT-VALUE}).")
  int workers;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (reproduce != null) {
      return reproduce();
    }
    if (trainAnn == null || trainImages == null || output == null) {
      throw new UserError("--train-ann, --train-images and --output are required (or --reproduce RUN_DIR --output DIR)");
    }
    for (Path p : new Path[] {trainAnn, valAnn}) {
      if (p != null && !Files.isRegularFile(p)) {
        throw new UserError(p + ": no such annotation file");
      }
    }
    if ((valAnn == null) != (valImages == null)) {
      throw new UserError("--val-ann and --val-images go together");
    }
    ModelConfig cfg;
    try {
      cfg = config == null ? ModelConfig.defaults() : ConfigLoader.load(config);
      cfg.solver().requireStepsBeforeMaxIters();
    } catch (ConfigException e) {
      throw new UserError(config == null || e.getMessage().startsWith(config.toString()) ? e.getMessage()
          : config + ": " + e.getMessage());
    }
    List<Device> devices;
    try {
      devices = Devices.parseAll(device);
      // before the data is scanned and the model built, which the trainer's own check would follow
      Devices.checkBatchShare(cfg.solver().imsPerBatch(), devices);
    } catch (IllegalArgumentException e) {
      throw new UserError("--device: " + e.getMessage());
    }
    Device dev = devices.get(0);
    LOG.info("training on {}", devices.size() == 1 ? dev : devices + " (data parallel)");
    // picocli gives a subcommand the whole original command line, "train" included
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    List<String> argv = new ArrayList<>(List.of("lowlight"));
    if (original.isEmpty() || !original.get(0).equals("train")) {
      argv.add("train");
    }
    argv.addAll(original);
    try (NDManager manager = NDManager.newBaseManager(dev);
        CocoLoader loader = loader(cfg)) {
      MaskRcnn model;
      try {
        // the run seed also draws the initial weights, so --reproduce starts from the same ones
        Engine.getInstance().setRandomSeed((int) seed);
        model = MaskRcnn.builder().setConfig(cfg).build().initialize(manager);
      } catch (ConfigException e) {
        throw new UserError(e.getMessage());
      }
      if (init != null && !resume) {
        initialise(model);
      }
      Trainer.Builder b = Trainer.builder().setModel(model).setTrainData(loader).setRunDirectory(output)
          .optResume(resume).optSeed(seed).optDevice(dev).optDevices(devices).optCommandLine(argv);
      List<Path> files = new ArrayList<>(List.of(trainAnn));
      if (valAnn != null) {
        CocoDataset gt;
        try {
          gt = CocoReader.readDataset(valAnn);
        } catch (CocoFormatException e) {
          throw new UserError(e.getMessage());
        }
        b.optValidation(gt, valImages, valEvery);
        files.add(valAnn);
      }
      b.optDatasetFiles(files);
      TrainingReport report;
      try (ProgressBar bar = new ProgressBar("train", cfg.solver().maxIters())) {
        b.optProgress(new TrainingProgress.Listener() {
          @Override
          public void onIteration(TrainingProgress p) {
            bar.step(1, String.format(Locale.ROOT, "loss %.3f lr %.2g", p.losses().getOrDefault("loss", Double.NaN),
                p.lr()));
          }

          @Override
          public void onValidation(int iteration, Validator.Result r) {
            LOG.info("iteration {}: bbox AP {} segm AP {} segm AP50 {}", iteration, fmt(r.bbox().stats().ap()),
                fmt(r.segm().stats().ap()), fmt(r.segm().stats().ap50()));
          }
        });
        report = b.build().run();
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "%d iterations in %.0f s; %s%n", report.iterations(), report.seconds(),
          valAnn == null ? "not validated (no --val-ann/--val-images)"
              : report.bestAp() < 0 ? "no segm AP (the validation set has no annotations to score)"
              : "best segm AP " + fmt(report.bestAp()));
      for (Map.Entry<String, Double> e : report.finalMetrics().entrySet()) {
        out.printf(Locale.ROOT, "  %-14s %s%n", e.getKey(), fmt(e.getValue()));
      }
      out.println("run directory: " + report.runDirectory().toAbsolutePath());
      out.println("model:         " + report.runDirectory().resolve("model").toAbsolutePath());
    }
    return 0;
  }

  private CocoLoader loader(ModelConfig cfg) {
    CocoLoader.Builder b = CocoLoader.builder().setAnnotations(trainAnn).setImageDir(trainImages)
        .setBatchSize(cfg.solver().imsPerBatch()).optResize(cfg.transform().minSize(), cfg.transform().maxSize())
        .optSeed(seed).optWorkers(workers);
    if (!cfg.classNames().isEmpty()) {
      b.optClassNames(cfg.classNames());
    }
    if (synthesize != null) {
      b.optSynthesizer(synthesize).optSynthesisSeed(seed);
    }
    try {
      return b.build();
    } catch (java.io.UncheckedIOException | IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  /**
   * {@code --reproduce RUN_DIR}: the recorded command line, with the recorded (resolved) config in
   * place of the original file, a new {@code --output}, and no {@code --resume}; the dataset files
   * must hash as they did.
   */
  private int reproduce() throws IOException {
    if (output == null) {
      throw new UserError("--reproduce needs --output for the new run directory");
    }
    if (output.toAbsolutePath().normalize().equals(reproduce.toAbsolutePath().normalize())) {
      throw new UserError("--output must differ from the run being reproduced (" + reproduce + ")");
    }
    Path commandFile = reproduce.resolve("command.txt");
    Path runFile = reproduce.resolve("run.json");
    Path configFile = reproduce.resolve("config.yaml");
    for (Path f : List.of(commandFile, runFile, configFile)) {
      if (!Files.isRegularFile(f)) {
        throw new UserError(f + ": missing; " + reproduce + " is not a run directory of lowlight train");
      }
    }
    JsonNode recorded = new ObjectMapper().readTree(runFile.toFile()).path("dataset_sha256");
    for (Iterator<Map.Entry<String, JsonNode>> it = recorded.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Path f = Path.of(e.getKey());
      String now;
      try {
        now = FileHashes.sha256(f);
      } catch (IOException ex) {
        throw new UserError(f + ": recorded by the run but cannot be read now (" + ex.getMessage() + ")");
      }
      if (!now.equals(e.getValue().asText())) {
        throw new UserError(f + ": changed since the run (SHA-256 " + now + ", recorded " + e.getValue().asText()
            + "); the run cannot be reproduced on other data");
      }
    }
    List<String> recordedArgs = Files.readAllLines(commandFile).stream().filter(l -> !l.isEmpty()).toList();
    if (recordedArgs.size() < 2 || !recordedArgs.get(1).equals("train")) {
      throw new UserError(commandFile + ": not the command line of lowlight train");
    }
    List<String> args = new ArrayList<>();
    List<String> dropWithValue = List.of("--output", "--config", "--reproduce");
    for (int i = 2; i < recordedArgs.size(); i++) {
      String a = recordedArgs.get(i);
      String key = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (dropWithValue.contains(key)) {
        i += a.contains("=") ? 0 : 1;
      } else if (!key.equals("--resume")) {
        args.add(a);
      }
    }
    args.addAll(List.of("--config", configFile.toString(), "--output", output.toString()));
    LOG.info("reproducing {}: lowlight train {}", reproduce, String.join(" ", args));
    TrainCommand again = new TrainCommand();
    CommandLine line = new CommandLine(again);
    line.setOut(spec.commandLine().getOut());
    line.setErr(spec.commandLine().getErr());
    line.parseArgs(args.toArray(String[]::new));
    return again.call();
  }

  /** Pretrained weights: a model directory, a torchvision Mask R-CNN or an ImageNet ResNet. */
  private void initialise(MaskRcnn model) throws IOException {
    LoadReport report;
    try {
      if (Files.isDirectory(init)) {
        StateDict sd = Safetensors.read(init.resolve(ModelDirectory.WEIGHTS));
        dev.lowlight.model.weights.NonFiniteWeights.check(sd, init.resolve(ModelDirectory.WEIGHTS).toString());
        report = StateDictLoader.load(model.parameters(), sd, "", false);
      } else {
        StateDict sd = TorchvisionImport.readCheckpoint(init);
        dev.lowlight.model.weights.NonFiniteWeights.check(sd, init.toString());
        if (sd.names().stream().anyMatch(k -> k.startsWith("roi_heads."))) {
          sd = TorchvisionKeys.normalize(sd, dev.lowlight.api.nn.TorchNames.parameters(model.parameters()).keySet())
              .stateDict();
          report = StateDictLoader.load(model.parameters(), sd, "", false);
        } else {
          report = TorchvisionImport.backboneWeights(model, init);
        }
      }
    } catch (WeightsException e) {
      throw new UserError(e.getMessage());
    }
    logInitialisation(model, report);
  }

  /**
   * One line for what was loaded, one for the denoisers a pretrained detector cannot have (expected,
   * not a problem), and a warning only for what else did not match.
   */
  private void logInitialisation(MaskRcnn model, LoadReport report) {
    String denoisers = "backbone.denoise.";
    List<String> fresh = report.missingUnder(denoisers);
    LoadReport rest = report.expectingMissing(denoisers);
    int total = dev.lowlight.api.nn.TorchNames.parameters(model.parameters()).size();
    LOG.info("initialised from {}: {} of {} parameters loaded", init, total - report.missingKeys().size()
        - report.shapeMismatches().size(), total);
    if (!fresh.isEmpty()) {
      LOG.info("{} parameters of the denoisers after {} start from their own initialisation: the pretrained"
          + " weights have no denoisers (expected when adding them)", fresh.size(), model.config().denoise().stages());
    }
    if (!rest.isClean()) {
      LOG.warn("{} does not match the model everywhere: {}", init, rest.describe().replace('\n', ' '));
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
