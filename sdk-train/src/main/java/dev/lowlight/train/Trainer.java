package dev.lowlight.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lowlight.api.config.SolverConfig;
import dev.lowlight.api.nn.StrayArrays;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.loading.BatchSource;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.StateDictLoader;
import dev.lowlight.train.checkpoint.CheckpointState;
import dev.lowlight.train.checkpoint.Checkpoints;
import dev.lowlight.train.optim.LrSchedule;
import dev.lowlight.train.optim.Optimizer;
import dev.lowlight.train.optim.TrainableParameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link MaskRcnn} with the solver of its configuration: torchvision's losses ({@link
 * MaskRcnn#losses}), SGD or AdamW, warm-up with multistep or cosine decay, gradient clipping and
 * accumulation, a freeze policy, COCO validation, atomic checkpoints that resume exactly, and a run
 * directory that records everything needed to repeat the run.
 *
 * <p>Run directory:
 *
 * <pre>
 * RUN/config.yaml, command.txt, run.json   the reproducibility bundle
 * RUN/metrics.jsonl                        one JSON line per iteration ("type": "train") and per validation
 * RUN/checkpoints/ckpt-NNNNNNNN/           see {@link Checkpoints}
 * RUN/model/                               the final model ({@link ModelDirectory})
 * RUN/training.png, denoiser_w.png         plots ({@link Plots})
 * </pre>
 *
 * <p>The loop only steps ({@code TrainingStep}) and validates when due; what follows from a step
 * is done by {@code TrainingListener}s, in this order: {@code MetricsLog} (metrics.jsonl), {@code
 * RunSummary} (final metrics, best AP, the validation log line), {@code CheckpointWriter}, {@code
 * ProgressReporter} (the {@link TrainingProgress.Listener}); {@code FinalModelWriter} saves the
 * model and plots at the end.
 *
 * <p><b>Determinism.</b> Iteration {@code i} uses the batches after the checkpointed data
 * position, anchor and RoI sampling seeded from {@code (seed, i)}, and the engine's generator
 * re-seeded from the same; the optimizer state is saved exactly. On the CPU, PyTorch's kernels are
 * deterministic for a given number of intra-op threads, so a run stopped and resumed gives weights
 * bit-identical to an uninterrupted one on the same machine and thread count
 * ({@code ai.djl.pytorch.num_threads}). On a GPU, cuDNN's kernels are not deterministic and
 * resumed runs agree only approximately. {@link Builder#optDevices} trains data-parallel over
 * several devices of one machine (one replica each, gradients averaged).
 *
 * <pre>{@code
 * try (NDManager manager = NDManager.newBaseManager(Devices.parse("auto"))) {
 *   MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);
 *   TrainingReport report = Trainer.builder().setModel(model).setTrainData(batches)
 *       .setRunDirectory(Path.of("runs/wnlb")).optValidation(valGt, valImages, 500)
 *       .optResume(true).optSeed(1).optProgress(p -> bar.update(p)).build().run();
 * }
 * }</pre>
 */
public final class Trainer {

  /** The metrics file's name. */
  public static final String METRICS = "metrics.jsonl";
  /** The modules trainable parameters are counted for. */
  public static final List<String> MODULES = List.of("backbone.body", "backbone.denoise", "backbone.fpn", "rpn",
      "roi_heads");

  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final MaskRcnn model;
  private final BatchSource data;
  private final Path runDir;
  private final SolverConfig solver;
  private final Validator validator;
  private final int validateEvery;
  private final boolean resume;
  private final long seed;
  private final Device device;
  private final List<Device> replicaDevices;
  private final TrainingProgress.Listener progress;
  private final int checkpointEvery;
  private final int keepLast;
  private final int stopAfter;
  private final List<String> commandLine;
  private final List<Path> datasetFiles;

  private Trainer(Builder b) {
    this.model = b.model;
    this.data = b.data;
    this.runDir = b.runDir;
    this.solver = b.solver != null ? b.solver : b.model.config().solver();
    this.validator = b.valGt == null ? null : new Validator(b.valGt, b.valImages);
    this.validateEvery = b.validateEvery;
    this.resume = b.resume;
    this.seed = b.seed;
    this.device = b.device;
    this.replicaDevices = b.devices;
    this.progress = b.progress;
    this.checkpointEvery = b.checkpointEvery > 0 ? b.checkpointEvery
        : validator != null ? validateEvery : Math.max(1, Math.min(1000, solver.maxIters()));
    this.keepLast = b.keepLast;
    this.stopAfter = b.stopAfter > 0 ? Math.min(b.stopAfter, solver.maxIters()) : solver.maxIters();
    this.commandLine = List.copyOf(b.commandLine);
    this.datasetFiles = List.copyOf(b.datasetFiles);
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Trains until {@code solver.max_iters} (or the stop given to {@link Builder#optStopAfter}).
   *
   * @throws NonFiniteLossException when a loss term becomes NaN or infinite
   * @throws UncheckedIOException when the run directory cannot be written
   */
  public TrainingReport run() {
    try {
      return runChecked();
    } catch (IOException e) {
      throw new UncheckedIOException("training run in " + runDir + ": " + e.getMessage(), e);
    }
  }

  private TrainingReport runChecked() throws IOException {
    long t0 = System.nanoTime();
    NDArray probe = model.parameters().getParameters().get(0).getValue().getArray();
    NDManager manager = probe.getManager();
    Device modelDevice = probe.getDevice();
    Device expected = replicaDevices.isEmpty() ? device : replicaDevices.get(0);
    if (expected != null && !expected.equals(modelDevice)) {
      throw new IllegalArgumentException("the model's parameters are on " + modelDevice + " but training was asked"
          + " for " + expected + "; initialise the model in NDManager.newBaseManager(" + expected + ")");
    }
    Files.createDirectories(runDir);
    FreezePolicy policy = FreezePolicy.of(solver.trainable());
    List<TrainableParameter> trainable = policy.apply(model);
    if (trainable.isEmpty()) {
      throw new IllegalStateException("freeze policy '" + policy + "' leaves no trainable parameter");
    }
    Map<String, Long> counts = trainableCounts(trainable);
    List<String> denoiserWeights = denoiserWeights();
    logSetup(modelDevice, policy, counts);

    Checkpoints checkpoints = new Checkpoints(runDir.resolve("checkpoints"), keepLast);
    LrSchedule schedule = LrSchedule.fromConfig(solver);
    Path metricsFile = runDir.resolve(METRICS);
    try (Optimizer optimizer = Optimizer.fromConfig(solver, manager)) {
      Start s = resumeOrStart(checkpoints, optimizer, trainable, metricsFile);
      RunBundle.write(runDir, model, commandLine,
          RunBundle.describe(model, s.runSeed(), modelDevice, commandLine, datasetFiles, counts, policy.configName()),
          s.checkpoint() != null ? s.iteration() : -1);

      RunSummary summary = new RunSummary(s.bestAp(), s.bestIteration());
      ProgressReporter reporter = new ProgressReporter(progress, summary, solver.maxIters(), System.nanoTime());
      CheckpointWriter checkpointer;
      int done = 0;
      // replicas are made after a resume has loaded the master's weights; a null resource is skipped
      try (DataParallel parallel = replicaDevices.size() > 1
              ? DataParallel.create(model, manager, trainable, policy, replicaDevices) : null;
          MetricsLog metrics = new MetricsLog(metricsFile, data, t0)) {
        TrainingStep step = new TrainingStep(model, data, solver, schedule, optimizer, trainable, manager, parallel,
            s.runSeed());
        checkpointer = new CheckpointWriter(checkpoints, new CheckpointWriter.Sources(model, optimizer, data, metrics,
            summary, denoiserWeights), s.runSeed(), checkpointEvery, stopAfter, s.checkpoint());
        // The order is that of the lines in metrics.jsonl and the log, and checkpoints follow both.
        List<TrainingListener> listeners = List.of(metrics, summary, checkpointer, reporter);
        for (int it = s.iteration(); it < stopAfter; it++) {
          iterate(step, it, listeners, manager, denoiserWeights);
          done++;
        }
      }
      new FinalModelWriter(model, runDir, metricsFile, stopAfter, solver.maxIters()).onEnd(s.iteration(), done);
      double seconds = (System.nanoTime() - t0) / 1e9;
      LOG.info("trained iterations {}..{} in {} s; {}", s.iteration(), stopAfter, RunSummary.fmt(seconds),
          summary.bestIteration() < 0 ? "not validated"
              : "best segm AP " + RunSummary.fmt(summary.bestAp()) + " at iteration " + summary.bestIteration());
      return new TrainingReport(summary.finalMetrics(), summary.bestAp(), stopAfter, seconds, runDir,
          checkpointer.last());
    }
  }

  /** One iteration: the step, then validation when it is due, each event passed to every listener. */
  private void iterate(TrainingStep step, int it, List<TrainingListener> listeners, NDManager manager,
      List<String> denoiserWeights) throws IOException {
    StepResult result = step.step(it);
    for (TrainingListener l : listeners) {
      l.onStep(result);
    }
    int completed = result.iteration();
    boolean validate = validator != null && (completed % validateEvery == 0 || completed == solver.maxIters());
    if (validate) {
      ValidationResult v = validate(completed, manager, denoiserWeights);
      for (TrainingListener l : listeners) {
        l.onValidation(v);
      }
    }
    for (TrainingListener l : listeners) {
      l.onIterationEnd(result, validate);
    }
  }

  private ValidationResult validate(int completed, NDManager manager, List<String> denoiserWeights) {
    Validator.Result r;
    try (StrayArrays validationStrays = StrayArrays.watch(manager)) {
      r = validator.evaluate(model);
    }
    // what every denoiser reports through DenoisingBlock.inspect, whatever its plugin
    return new ValidationResult(completed, r, denoiserValues(denoiserWeights),
        dev.lowlight.model.DenoiserReports.flat(model));
  }

  private void logSetup(Device modelDevice, FreezePolicy policy, Map<String, Long> counts) {
    TorchWarnings.silence(); // NNPACK's warning would otherwise come with every small convolution
    LOG.info("training on {} ({} {}), freeze policy {}, trainable parameters {}", modelDevice,
        Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), policy, counts);
    if (Device.Type.CPU.equals(modelDevice.getDeviceType()) && System.getenv("MALLOC_TRIM_THRESHOLD_") == null
        && System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      LOG.info("glibc gives freed tensors back to the OS at once, and each step faults them in again; starting"
          + " the JVM with MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_MMAP_THRESHOLD_=33554432 (bin/lowlight does)"
          + " made a small model's CPU step 1.7x faster");
    }
    model.plugins().values().forEach(p -> LOG.info("plugin {}: {} {} (SPI {}) from {}", p.path(),
        p.descriptor().name(), p.descriptor().version(), p.descriptor().spiVersion(), p.descriptor().source()));
  }

  /**
   * Where the loop starts.
   *
   * @param iteration the first iteration to run
   * @param checkpoint the checkpoint resumed from, or {@code null}
   */
  private record Start(int iteration, double bestAp, int bestIteration, long runSeed, Path checkpoint) {}

  /**
   * Loads the newest checkpoint into the model, the optimizer and the data when resuming (and drops
   * the metric lines written after it); otherwise starts a fresh metrics file.
   */
  private Start resumeOrStart(Checkpoints checkpoints, Optimizer optimizer, List<TrainableParameter> trainable,
      Path metricsFile) throws IOException {
    Optional<Path> latest = resume ? checkpoints.latest() : Optional.empty();
    if (latest.isEmpty()) {
      if (resume) {
        LOG.info("no checkpoint in {}, starting from iteration 0", checkpoints.directory());
      }
      Files.deleteIfExists(metricsFile);
      return new Start(0, -1, -1, seed, null);
    }
    Checkpoints.Loaded c = Checkpoints.read(latest.get());
    CheckpointState s = c.state();
    if (s.seed() != seed) {
      LOG.warn("the checkpoint was written with seed {}, continuing with it instead of {}", s.seed(), seed);
    }
    StateDictLoader.load(model.parameters(), c.weights(), "", true);
    optimizer.loadState(floats(c.optimizer()), trainable);
    data.seek(s.dataPosition());
    MetricsLog.truncate(metricsFile, s.lossHistory());
    LOG.info("resumed from {} at iteration {}, data position {}", latest.get(), s.iteration(), s.dataPosition());
    return new Start(s.iteration(), s.bestAp(), s.bestIteration(), s.seed(), latest.get());
  }

  /** Trainable parameter counts per module, plus {@code total}. */
  private static Map<String, Long> trainableCounts(List<TrainableParameter> trainable) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String m : MODULES) {
      out.put(m, 0L);
    }
    long total = 0;
    for (TrainableParameter p : trainable) {
      long n = p.parameter().getArray().size();
      total += n;
      for (String m : MODULES) {
        if (p.name().startsWith(m + ".")) {
          out.merge(m, n, Long::sum);
        }
      }
    }
    out.put("total", total);
    return out;
  }

  /** Names of the inserted denoisers' scalar weights ({@code backbone.denoise.*.w}). */
  private List<String> denoiserWeights() {
    List<String> out = new ArrayList<>();
    for (String name : TorchNames.parameters(model.parameters()).keySet()) {
      if (name.startsWith("backbone.denoise.") && name.endsWith(".w")) {
        out.add(name);
      }
    }
    return out;
  }

  private Map<String, Double> denoiserValues(List<String> names) {
    Map<String, Parameter> params = TorchNames.parameters(model.parameters());
    Map<String, Double> out = new LinkedHashMap<>();
    for (String n : names) {
      out.put(n, (double) params.get(n).getArray().toFloatArray()[0]);
    }
    return out;
  }

  private static Map<String, float[]> floats(StateDict sd) {
    Map<String, float[]> out = new LinkedHashMap<>();
    sd.tensors().forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  /** Builder: model, training data and run directory are required. */
  public static final class Builder {
    private MaskRcnn model;
    private BatchSource data;
    private Path runDir;
    private SolverConfig solver;
    private CocoDataset valGt;
    private Path valImages;
    private int validateEvery = 1000;
    private boolean resume;
    private long seed = 1;
    private Device device;
    private List<Device> devices = List.of();
    private TrainingProgress.Listener progress = TrainingProgress.Listener.NONE;
    private int checkpointEvery;
    private int keepLast = 3;
    private int stopAfter;
    private List<String> commandLine = List.of();
    private List<Path> datasetFiles = List.of();

    Builder() {}

    /** The model to train, initialised (or loaded) in a manager on the training device. */
    public Builder setModel(MaskRcnn model) {
      this.model = model;
      return this;
    }

    /** The training batches; {@code position()} and {@code seek} make resuming exact. */
    public Builder setTrainData(BatchSource data) {
      this.data = data;
      return this;
    }

    /** Where the bundle, metrics, checkpoints, final model and plots go. */
    public Builder setRunDirectory(Path dir) {
      this.runDir = dir;
      return this;
    }

    /** Overrides the model configuration's solver. */
    public Builder optSolver(SolverConfig solver) {
      this.solver = solver;
      return this;
    }

    /**
     * Validates on {@code gt} (images under {@code imagesDir}) every {@code everyN} iterations and
     * at the end; the best checkpoint is chosen by segm AP.
     */
    public Builder optValidation(CocoDataset gt, Path imagesDir, int everyN) {
      this.valGt = gt;
      this.valImages = imagesDir;
      this.validateEvery = everyN;
      return this;
    }

    /** Continues from the run directory's newest complete checkpoint, if there is one. */
    public Builder optResume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /** The run's seed (sampling and engine generator); default 1. */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The device expected ({@link Devices#parse}); the model must already be on it. */
    public Builder optDevice(Device device) {
      this.device = device;
      return this;
    }

    /**
     * Data-parallel training over these devices ({@link Devices#parseAll}): the first is the
     * model's own; a replica is made on each of the others, each batch is split between them and
     * their gradients are averaged, as PyTorch's {@code DistributedDataParallel} does on one
     * machine. {@code solver.ims_per_batch} must be a multiple of the count. One device (or none
     * given) trains without replicas.
     */
    public Builder optDevices(List<Device> devices) {
      this.devices = List.copyOf(devices);
      return this;
    }

    /** Receives progress after each iteration and validation. */
    public Builder optProgress(TrainingProgress.Listener listener) {
      this.progress = listener;
      return this;
    }

    /** Checkpoint period in iterations (default: the validation period, else min(1000, max_iters)). */
    public Builder optCheckpointEvery(int n) {
      this.checkpointEvery = n;
      return this;
    }

    /** How many recent checkpoints to keep besides the best (default 3). */
    public Builder optKeepLast(int n) {
      this.keepLast = n;
      return this;
    }

    /**
     * Stops after this many iterations in total, writing a checkpoint, as an interrupted run would
     * (the schedule still runs to {@code max_iters}); a later {@code optResume(true)} continues.
     */
    public Builder optStopAfter(int iterations) {
      this.stopAfter = iterations;
      return this;
    }

    /** The full command line, recorded in {@code command.txt} and {@code run.json}. */
    public Builder optCommandLine(List<String> args) {
      this.commandLine = args;
      return this;
    }

    /** Dataset files or directories whose SHA-256 goes into {@code run.json}. */
    public Builder optDatasetFiles(List<Path> files) {
      this.datasetFiles = files;
      return this;
    }

    /** Checks the settings. */
    public void validate() {
      if (model == null) {
        throw new IllegalStateException("setModel(...) is required");
      }
      if (data == null) {
        throw new IllegalStateException("setTrainData(...) is required");
      }
      if (runDir == null) {
        throw new IllegalStateException("setRunDirectory(...) is required");
      }
      if (valGt != null && validateEvery < 1) {
        throw new IllegalArgumentException("validation period must be >= 1 iteration, got " + validateEvery);
      }
      if (keepLast < 1) {
        throw new IllegalArgumentException("keep at least 1 checkpoint, got " + keepLast);
      }
      if (devices.size() > 1) {
        Devices.checkBatchShare((solver != null ? solver : model.config().solver()).imsPerBatch(), devices);
        if (device != null && !device.equals(devices.get(0))) {
          throw new IllegalArgumentException("optDevice(" + device + ") and optDevices(" + devices + ") disagree");
        }
      }
      (solver != null ? solver : model.config().solver()).requireStepsBeforeMaxIters();
      if (checkpointEvery < 0 || stopAfter < 0) {
        throw new IllegalArgumentException("checkpoint period and stop must be >= 0, got " + checkpointEvery + " and "
            + stopAfter);
      }
    }

    /** The trainer. */
    public Trainer build() {
      validate();
      return new Trainer(this);
    }
  }
}
