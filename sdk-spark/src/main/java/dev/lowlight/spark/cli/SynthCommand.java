package dev.lowlight.spark.cli;

import dev.lowlight.spark.SparkTwin;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight-spark synth}: {@code lowlight synth} as a Spark job, with the same bytes. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = {"Make the low-light twin of a COCO dataset on Spark: the files `lowlight synth`",
        "writes with the same preset, options and seed, byte for byte, whatever the",
        "number of partitions. Paths may be local or on any file system Hadoop reaches",
        "(hdfs://, s3a://). Unreadable images are skipped and listed in",
        "OUTPUT/failures.json; the exit code is then 1."})
final class SynthCommand implements Callable<Integer> {

  @Option(names = "--ann", required = true, description = "COCO annotation file of the clean dataset.")
  String annotations;

  @Option(names = "--images", required = true, description = "Directory of the clean images.")
  String images;

  @Option(names = "--output", required = true, description = "Directory of the low-light twin (missing or empty).")
  String output;

  @Option(names = "--preset", defaultValue = "maet",
      description = "Synthesizer plugin: maet, lis, maet-release, gamma-gaussian, or another on the classpath (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--option", paramLabel = "KEY=VALUE", description = "Override a synthesizer option (repeatable); see `lowlight plugins --kind SYNTHESIZER`.")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--seed", defaultValue = "1", description = "Dataset seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin SparkOptions spark;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SparkTwin.Request request = new SparkTwin.Request(annotations, images, output, preset, options, seed,
        spark.partitions);
    SparkTwin.Summary s = spark.run("synth", session -> SparkTwin.run(session, request));
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%d images written, %d skipped as unreadable%n", s.written(), s.failures().size());
    out.println("parameters:  " + s.sidecar());
    if (!s.failures().isEmpty()) {
      out.println("failures:    " + request.output() + "/" + SparkTwin.FAILURES);
    }
    return s.failures().isEmpty() ? 0 : 1;
  }
}
