package dev.lowlight.cli;

import dev.lowlight.data.synth.SynthBenchmark;
import dev.lowlight.denoise.bench.DenoiseBenchmark;
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
        BenchCommand.Infer.class})
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
      List<DenoiseBenchmark.Row> rows = DenoiseBenchmark.run(height, width, iterations, budgetMb << 20);
      spec.commandLine().getOut().println(DenoiseBenchmark.table(rows));
    }
  }

  @Command(name = "synth", mixinStandardHelpOptions = true,
      description = "Low-light synthesis throughput in megapixels per second, per preset (JPEG encoding excluded).")
  static final class Synth implements Runnable {
    @Option(names = "--preset", description = "One preset (default: all of maet, maet-release, lis, gamma-gaussian).")
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
      List<String> presets = preset == null ? List.of("maet", "maet-release", "lis", "gamma-gaussian") : List.of(preset);
      out.printf(Locale.ROOT, "%-16s %10s  (%dx%d, %d images, %d cores)%n", "preset", "MP/s", width, height, images,
          Runtime.getRuntime().availableProcessors());
      for (String p : presets) {
        out.printf(Locale.ROOT, "%-16s %10.1f%n", p, SynthBenchmark.megapixelsPerSecond(p, width, height, images));
      }
    }
  }

  @Command(name = "data", mixinStandardHelpOptions = true,
      description = {"Images per second decoding 640x480 JPEGs with OpenCV and with ImageIO, on one thread and all",
          "cores, and the training loader's batches per second."})
  static final class Data implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().getOut().print(dev.lowlight.data.loading.bench.DataBenchmark.table(
          dev.lowlight.data.loading.bench.DataBenchmark.run(dev.lowlight.data.loading.bench.DataBenchmark.Settings.defaults())));
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

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (model == null && !eager) {
        throw new UserError("give --model model.onnx, --eager, or both");
      }
      if (eager) {
        var cfg = config == null ? dev.lowlight.api.config.ModelConfig.defaults()
            : dev.lowlight.api.config.ConfigLoader.load(config);
        spec.commandLine().getOut().println(
            dev.lowlight.model.bench.InferBenchmark.run(cfg, height, width, warmup, runs).describe());
      }
      if (model == null) {
        return 0;
      }
      if (!java.nio.file.Files.isRegularFile(model)) {
        throw new UserError(model + ": no such model file");
      }
      var options = dev.lowlight.runtime.PredictorOptions.builder().optDevice(device).optIntraOpThreads(intraOp).build();
      var result = dev.lowlight.runtime.bench.RuntimeBenchmark.run(new dev.lowlight.runtime.bench.RuntimeBenchmark.Config(
          model, image, height, width, warmup, runs, threads, true, options));
      spec.commandLine().getOut().println(result.format());
      return 0;
    }
  }
}
