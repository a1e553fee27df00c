package dev.lowlight.cli;

import dev.lowlight.bench.data.DataBenchmark;
import dev.lowlight.bench.data.SynthBenchmark;
import dev.lowlight.bench.denoise.DenoiseBenchmark;
import dev.lowlight.bench.model.InferBenchmark;
import dev.lowlight.bench.runtime.ReferenceBenchmark;
import dev.lowlight.bench.runtime.RuntimeBenchmark;
import dev.lowlight.bench.train.TrainBenchmark;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lowlight bench}: benchmarks that report ratios measured in one run on this machine, never
 * timed tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks on this machine; each reports its numbers next to a baseline measured in the same run.",
    subcommands = {BenchCommand.Denoise.class, BenchCommand.Synth.class, BenchCommand.Data.class,
        BenchCommand.Infer.class, BenchCommand.Train.class})
final class BenchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "denoise", mixinStandardHelpOptions = true,
      description = {"Forward and backward time and peak memory of one weighted non-local block at the res3, res4",
          "and res5 sizes of an input image, next to the time of the ResNet-50 stage it follows."})
  static final class Denoise implements Runnable {
    @Option(names = "--height", defaultValue = "800", description = "Input image height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--width", defaultValue = "1067", description = "Input image width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--iterations", defaultValue = "2", description = "Timed repetitions, median reported (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--budget-mb", defaultValue = "512", description = "Memory budget of the chunked attention (default: ${DEFAULT-VALUE}).")
    long budgetMb;

    @Spec CommandSpec spec;

    @Override
    public void run() {
      ai.djl.engine.Engine.getInstance();
      dev.lowlight.train.TorchWarnings.silence();
      List<DenoiseBenchmark.Row> rows = DenoiseBenchmark.run(height, width, iterations, budgetMb << 20);
      spec.commandLine().getOut().println(DenoiseBenchmark.table(rows));
    }
  }

  @Command(name = "synth", mixinStandardHelpOptions = true,
      description = "Low-light synthesis throughput in megapixels per second, per preset (JPEG encoding excluded).")
  static final class Synth implements Runnable {
    @Option(names = "--preset", description = "One preset (default: all of maet, maet-release, lis, lis-isp, gamma-gaussian).")
    String preset;

    @Option(names = "--width", defaultValue = "640", description = "Image width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", defaultValue = "480", description = "Image height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--images", defaultValue = "60", description = "Timed images per preset (default: ${DEFAULT-VALUE}).")
    int images;

    @Spec CommandSpec spec;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      List<String> presets = preset == null ? List.of("maet", "maet-release", "lis", "lis-isp", "gamma-gaussian")
          : List.of(preset);
      out.printf(Locale.ROOT, "%-16s %10s  (%dx%d, %d images, %d cores)%n", "preset", "MP/s", width, height, images,
          Runtime.getRuntime().availableProcessors());
      for (String p : presets) {
        out.printf(Locale.ROOT, "%-16s %10.1f%n", p, SynthBenchmark.megapixelsPerSecond(p, width, height, images));
      }
    }
  }

  @Command(name = "data", mixinStandardHelpOptions = true,
      description = {"Images per second decoding 640x480 JPEGs with OpenCV and with ImageIO (header, size limit and",
          "integrity checked first), on one thread and all cores, and the training loader's batches per second."})
  static final class Data implements Runnable {
    @Option(names = "--width", defaultValue = "640", description = "Image width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", defaultValue = "480", description = "Image height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--decodes", defaultValue = "200", description = "Timed decodes per codec and thread count (default: ${DEFAULT-VALUE}).")
    int decodes;

    @Option(names = "--batches", defaultValue = "30", description = "Timed loader batches (default: ${DEFAULT-VALUE}).")
    int batches;

    @Spec CommandSpec spec;

    @Override
    public void run() {
      var d = DataBenchmark.Settings.defaults();
      var settings = new DataBenchmark.Settings(width, height, d.distinctImages(),
          decodes, batches, d.batchSize(), d.threads());
      spec.commandLine().getOut().print(DataBenchmark.table(
          DataBenchmark.run(settings)));
    }
  }

  @Command(name = "infer", mixinStandardHelpOptions = true,
      description = {"Inference latency: an exported model on ONNX Runtime (p50/p95, images/s) and/or, with --eager,",
          "DJL eager inference of a model configuration (default R50-FPN) next to its backbone body alone."})
  static final class Infer implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--model", description = "The exported model.onnx to time on ONNX Runtime.")
    java.nio.file.Path model;

    @Option(names = "--eager", description = "Also time DJL eager inference (random weights) of --config.")
    boolean eager;

    @Option(names = "--config", description = "Model configuration for --eager (default: torchvision's maskrcnn_resnet50_fpn).")
    java.nio.file.Path config;

    @Option(names = "--image", description = "An image to predict on (default: a synthetic image of --height x --width).")
    java.nio.file.Path image;

    @Option(names = "--height", defaultValue = "800", description = "Synthetic image height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--width", defaultValue = "1067", description = "Synthetic image width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed predictions first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "20", description = "Timed predictions (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--threads", defaultValue = "1", description = "Concurrent callers (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--intra-op-threads", defaultValue = "2", description = "ONNX Runtime threads per prediction (default: ${DEFAULT-VALUE}).")
    int intraOp;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda[:N] or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--score-threshold", defaultValue = "0.05",
        description = "Detections below this score are dropped, as predict drops them (default: ${DEFAULT-VALUE}).")
    float scoreThreshold;

    @Option(names = "--reference", paramLabel = "FILE.onnx",
        description = {"torchvision's own ONNX export (tools/fixtures/make_torchvision_onnx.py) to time on the same",
            "ONNX Runtime session options and image; its input is a 3xHxW image in [0,1], its masks come pasted."})
    java.nio.file.Path reference;

    @Option(names = "--eager-warmup", defaultValue = "1", description = "Untimed eager predictions (default: ${DEFAULT-VALUE}).")
    int eagerWarmup;

    @Option(names = "--eager-runs", defaultValue = "3", description = "Timed eager predictions (default: ${DEFAULT-VALUE}).")
    int eagerRuns;

    @Option(names = "--eager-model", paramLabel = "DIR", converter = ModelPath.class,
        description = "With --eager: time this model directory (e.g. the one --model was exported from) instead of random weights.")
    java.nio.file.Path eagerModel;

    @Option(names = "--memory", paramLabel = "N1,N2",
        description = "Resident memory of --model after N1 and after N2 predictions by --threads callers, e.g."
            + " 1000,10000, and its growth outside the Java heap, which needs a fixed heap: -Xms equal to -Xmx and"
            + " -XX:+AlwaysPreTouch in LOWLIGHT_JAVA_OPTS.")
    String memory;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (model == null && !eager && reference == null) {
        throw new UserError("give --model model.onnx, --eager, --reference, or several");
      }
      PrintWriter out = spec.commandLine().getOut();
      InferBenchmark.Result eagerResult = null;
      if (eager) {
        ai.djl.engine.Engine.getInstance();
        dev.lowlight.train.TorchWarnings.silence();
      }
      var rgb = image != null ? dev.lowlight.data.image.ImageFiles.read(image)
          : RuntimeBenchmark.synthetic(height, width, 42);
      if (eager && eagerModel != null) {
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
          var loaded = dev.lowlight.model.io.ModelDirectory.load(eagerModel, manager);
          eagerResult = InferBenchmark.run(loaded, rgb, eagerWarmup, eagerRuns);
        }
        out.println(eagerResult.describe());
        out.flush();
      } else if (eager) {
        var cfg = config == null ? dev.lowlight.api.config.ModelConfig.defaults()
            : dev.lowlight.api.config.ConfigLoader.load(config);
        eagerResult = InferBenchmark.run(cfg, height, width, eagerWarmup, eagerRuns);
        out.println(eagerResult.describe());
        out.flush();
      }
      RuntimeBenchmark.Result ours = null;
      var options = dev.lowlight.runtime.PredictorOptions.builder().optDevice(device).optIntraOpThreads(intraOp)
          .optScoreThreshold(scoreThreshold).build();
      if (model != null) {
        if (!java.nio.file.Files.isRegularFile(model)) {
          throw new UserError(model + ": no such model file");
        }
        ours = RuntimeBenchmark.run(new RuntimeBenchmark.Config(
            model, image, height, width, warmup, runs, threads, true, options));
        out.println(ours.format());
        out.flush();
      }
      RuntimeBenchmark.Result ref = null;
      if (reference != null) {
        if (!java.nio.file.Files.isRegularFile(reference)) {
          throw new UserError(reference + ": no such reference model file");
        }
        ref = ReferenceBenchmark.run(reference, rgb, warmup, runs, intraOp);
        out.println(ref.format());
        out.flush();
      }
      printTable(out, eagerResult, ours, ref);
      if (memory != null) {
        if (model == null) {
          throw new UserError("--memory needs --model");
        }
        String[] n = memory.split(",");
        int n1;
        int n2;
        try {
          n1 = Integer.parseInt(n[0].trim());
          n2 = Integer.parseInt(n[n.length - 1].trim());
        } catch (NumberFormatException e) {
          throw new UserError("--memory takes N1,N2 (e.g. 100,1000), got '" + memory + "'");
        }
        if (n.length != 2 || n1 < 1 || n2 <= n1) {
          throw new UserError("--memory takes N1,N2 with 1 <= N1 < N2 (e.g. 100,1000), got '" + memory + "'");
        }
        out.println(ReferenceBenchmark.memory(model, rgb, n1, n2, threads, options).format()
            + String.format(Locale.ROOT, " [%s, %dx%d]", model.getFileName(), rgb.height(), rgb.width()));
      }
      return 0;
    }

    private void printTable(PrintWriter out, InferBenchmark.Result eager,
        RuntimeBenchmark.Result ours, RuntimeBenchmark.Result ref) {
      int rows = (eager != null ? 1 : 0) + (ours != null ? 1 : 0) + (ref != null ? 1 : 0);
      if (rows < 2) {
        return;
      }
      out.printf(Locale.ROOT, "%n%-44s %10s %10s %8s %6s%n", "variant", "p50 ms", "p95 ms", "img/s", "dets");
      if (eager != null) {
        out.printf(Locale.ROOT, "%-44s %10.1f %10s %8.3f %6d%n", eagerModel != null
            ? "DJL eager (median; weights of --eager-model)" : "DJL eager (median; random weights of --config)",
            eager.totalMs(), "-", 1000 / eager.totalMs(), eager.detections());
      }
      if (ours != null) {
        out.printf(Locale.ROOT, "%-44s %10.1f %10.1f %8.3f %6d%n", "ours, ORT (masks pasted + RLE)",
            ours.p50Ms(), ours.p95Ms(), ours.imagesPerSecond(), ours.detections());
      }
      if (ref != null) {
        out.printf(Locale.ROOT, "%-44s %10.1f %10.1f %8.3f %6d%n", "torchvision export, ORT (masks pasted)",
            ref.p50Ms(), ref.p95Ms(), ref.imagesPerSecond(), ref.detections());
      }
      if (eager != null && ours != null) {
        out.printf(Locale.ROOT, "eager / ours = %.2f (goal <= 2.0)%n", eager.totalMs() / ours.p50Ms());
      }
      if (ours != null && ref != null) {
        out.printf(Locale.ROOT, "ours / torchvision = %.2f (goal <= 0.6)%n", ours.p50Ms() / ref.p50Ms());
      }
    }
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = {"Training throughput of R50-FPN (frozen batch norm, 8 classes, random weights) on synthetic",
          "scenes: seconds per iteration of the trainer's step, its breakdown (data, backbone, FPN, RPN, RoIAlign,",
          "heads, loss, backward, optimizer), the backbone's convolutions alone forward and backward in GFLOP/s next",
          "to the step's own rate (goal: at least 60%%), peak heap and resident memory; then a leak check: resident",
          "memory after K2 iterations against after K1 (goal: less than 5%% growth), on the small model by default."})
  static final class Train implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--size", defaultValue = "512", description = "Square image side (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--batch", defaultValue = "2", description = "Images per iteration (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed iterations first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "3", description = "Timed iterations, median reported (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--breakdown", defaultValue = "2", description = "Instrumented iterations for the stage breakdown (default: ${DEFAULT-VALUE}).")
    int breakdown;

    @Option(names = "--leak-iterations", defaultValue = "50,500", paramLabel = "K1,K2",
        description = "Leak check: resident memory after K1 and after K2 iterations (default: ${DEFAULT-VALUE}).")
    String leakIterations;

    @Option(names = "--leak-config", defaultValue = "small",
        description = "Leak check model: demo (the demo's model at 128x128, about 0.2 s per iteration on two cores),"
            + " small (R18-FPN-64 at 256x256, 2 to 4 s) or r50 (R50-FPN at 512x512, about 15 s) (default: ${DEFAULT-VALUE}).")
    String leakConfig;

    @Option(names = "--no-leak", description = "Skip the leak check.")
    boolean noLeak;

    @Option(names = "--no-throughput", description = "Run only the leak check.")
    boolean noThroughput;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      int[] k;
      TrainBenchmark.Settings leakSettings;
      try {
        k = TrainBenchmark.leakIterations(leakIterations);
        leakSettings = TrainBenchmark.leakSettings(leakConfig, batch);
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage());
      }
      ai.djl.engine.Engine.getInstance();
      dev.lowlight.train.TorchWarnings.silence();
      if (!noThroughput) {
        var settings = TrainBenchmark.Settings.r50(size, batch, warmup, iterations)
            .withCounts(warmup, iterations, breakdown, 2);
        out.println(TrainBenchmark.run(settings).describe());
        out.flush();
      }
      if (!noLeak) {
        out.println("leak check model: " + leakSettings.name() + " at " + leakSettings.size() + "x"
            + leakSettings.size());
        out.println(TrainBenchmark.leak(leakSettings, k[0], k[1]).describe());
      }
      return 0;
    }
  }
}
