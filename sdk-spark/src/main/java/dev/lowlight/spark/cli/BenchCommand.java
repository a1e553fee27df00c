package dev.lowlight.spark.cli;

import dev.lowlight.spark.bench.SparkBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight-spark bench}: the Spark jobs against the single-process commands on the same images. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Images per second of synth and predict with Spark local[N] and with the",
        "single-process commands, on the same generated scenes in one JVM; Spark's",
        "overhead per image; and what COCO train2017 would take on clusters at the",
        "measured per-image cost."})
final class BenchCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, description = "An exported model.onnx to predict with.")
  Path model;

  @Option(names = "--images", defaultValue = "200", description = "Scenes to generate and process (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--width", defaultValue = "640", description = "Scene width, COCO's typical (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = "480", description = "Scene height (default: ${DEFAULT-VALUE}).")
  int height;

  @Option(names = "--warmup", defaultValue = "10", description = "Images of each mode's untimed first pass (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--repeats", defaultValue = "2", description = "Timed runs of each mode, the fastest kept (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--local", split = ",", defaultValue = "1,2", description = "The N of each local[N] to time (default: ${DEFAULT-VALUE}).")
  List<Integer> local;

  @Option(names = "--preset", defaultValue = "maet", description = "Synthesizer (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--work", description = "Scratch directory (default: a new temporary one, deleted afterwards).")
  Path work;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(model)) {
      throw new IllegalArgumentException(model + ": no such model file");
    }
    Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("lowlight-spark-bench");
    try {
      SparkBenchmark.Config c = new SparkBenchmark.Config(dir, model, images, width, height, warmup, repeats, local,
          preset);
      SparkBenchmark.Result r = SparkBenchmark.run(c);
      java.io.PrintWriter out = spec.commandLine().getOut();
      out.print(SparkBenchmark.table(c, r));
      out.flush();
    } finally {
      if (work == null) {
        dev.lowlight.api.io.AtomicFiles.deleteTree(dir);
      }
    }
    return 0;
  }
}
