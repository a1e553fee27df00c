package dev.lowlight.spark.cli;

import dev.lowlight.spark.PredictSettings;
import dev.lowlight.spark.SparkPredict;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight-spark predict}: {@code lowlight predict} over a directory, as a Spark job. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Predict instance masks for every image of a directory on Spark with an exported",
        "model.onnx, shipped to the executors (one ONNX Runtime session per executor).",
        "Writes OUTPUT/predictions.json, the file `lowlight predict --input DIR` writes",
        "(image ids are positions in name order; entries carry file_name), and",
        "OUTPUT/predictions.parquet, one row per image. An unreadable image is a row with",
        "an error, listed in OUTPUT/failures.json; the others are all predicted and the",
        "exit code is 1."})
final class PredictCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format { JSON, PARQUET }

  @Option(names = "--model", required = true, description = "An exported model.onnx (self-contained).")
  String model;

  @Option(names = "--images", required = true, description = "Directory of images (.png, .jpg, .jpeg, .bmp).")
  String images;

  @Option(names = "--output", required = true, description = "Output directory (missing or empty).")
  String output;

  @Option(names = "--score-threshold", defaultValue = "0.05", description = "Drop detections below this score (default: ${DEFAULT-VALUE}).")
  float scoreThreshold;

  @Option(names = "--device", defaultValue = "cpu", description = "ONNX Runtime device on the executors: cpu, cuda[:N] or auto (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--intra-op-threads", description = "ONNX Runtime threads per task (default: spark.task.cpus, 1 unless set).")
  Integer intraOpThreads;

  @Option(names = "--format", split = ",", defaultValue = "json,parquet",
      description = "Outputs: json, parquet or both (default: ${DEFAULT-VALUE}).")
  EnumSet<Format> formats;

  @Mixin SparkOptions spark;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SparkPredict.Summary s = spark.run("predict", session -> {
      int threads = intraOpThreads != null ? intraOpThreads : session.sparkContext().getConf().getInt("spark.task.cpus", 1);
      PredictSettings settings = new PredictSettings(device, threads, scoreThreshold,
          PredictSettings.defaults(threads).maxDetections());
      return SparkPredict.run(session, new SparkPredict.Request(model, images, output, settings, spark.partitions,
          formats.contains(Format.JSON), formats.contains(Format.PARQUET)));
    });
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%d images, %d detections, %d failed%n", s.images(), s.detections(), s.failures().size());
    s.written().forEach(f -> out.println("written: " + f));
    return s.failures().isEmpty() ? 0 : 1;
  }
}
