package dev.lowlight.spark.bench;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.CocoWriter;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.dataset.ProgressListener;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.output.CocoResults;
import dev.lowlight.spark.DistributedFiles;
import dev.lowlight.spark.PredictSettings;
import dev.lowlight.spark.SparkPredict;
import dev.lowlight.spark.SparkSessions;
import dev.lowlight.spark.SparkTwin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput of the Spark jobs against the single-process commands on the same images, in one
 * JVM: synthesis and prediction with {@code local[N]} for each N asked, next to the code the
 * single-machine commands run on N cores ({@code lowlight synth}: {@link LowLightTwin#make} with N
 * threads; {@code lowlight predict}: read, predict, COCO results, one JSON file, with N ONNX Runtime
 * threads, its default on an N-core machine).
 *
 * <p>Each mode runs untimed on {@code warmup} images (class loading, JIT, Spark's first jobs),
 * then {@code repeats} times on all the images, the single-process command and the Spark job in
 * turn so that both see the same load on a shared machine; the fastest repetition counts (other
 * processes only ever add time). Times are wall-clock and the process's CPU time: CPU seconds per
 * image are what a core spends, and what a dedicated cluster core would. Spark's overhead per
 * image is the difference with the single-process command on as many cores, fixed costs of the job
 * included; COCO train2017 on a cluster is then {@code images x CPU per image on one core / cores}.
 */
public final class SparkBenchmark {

  /** Images in COCO train2017, for the projection. */
  public static final int COCO_TRAIN2017 = 118_287;

  private SparkBenchmark() {}

  /**
   * What to measure.
   *
   * @param work a scratch directory (the scenes and every run's output go there)
   * @param model the exported model to predict with
   * @param images how many scenes
   * @param width scene width
   * @param height scene height
   * @param warmup scenes of the untimed first pass of each mode
   * @param repeats timed repetitions of each mode, the fastest kept
   * @param sparkCores the {@code N} of each {@code local[N]} timed
   * @param preset the synthesizer
   */
  public record Config(Path work, Path model, int images, int width, int height, int warmup, int repeats,
      List<Integer> sparkCores, String preset) {

    /** Checks the counts. */
    public Config {
      if (images < 1 || warmup < 1 || repeats < 1 || width < 16 || height < 16 || sparkCores.isEmpty()) {
        throw new IllegalArgumentException("need images, warmup and repeats >= 1, a size of at least 16x16 and one"
            + " local[N]; got " + images + " images, warmup " + warmup + ", repeats " + repeats + ", " + width + "x"
            + height + ", " + sparkCores);
      }
    }
  }

  /**
   * A mode's fastest timed run.
   *
   * @param job {@code synth} or {@code predict}
   * @param mode how it ran
   * @param cores cores it used
   * @param images images processed
   * @param wall wall-clock seconds
   * @param cpu CPU seconds of the whole process
   */
  public record Row(String job, String mode, int cores, int images, double wall, double cpu) {
    /** Images per second. */
    public double imagesPerSecond() {
      return images / wall;
    }

    /** Wall milliseconds per image. */
    public double wallMsPerImage() {
      return 1000 * wall / images;
    }

    /** CPU milliseconds per image: the cost of one image on one core. */
    public double cpuMsPerImage() {
      return 1000 * cpu / images;
    }

    Row fastest(Row other) {
      return other == null ? this : new Row(job, mode, cores, images, Math.min(wall, other.wall),
          Math.min(cpu, other.cpu));
    }
  }

  /**
   * What the run measured.
   *
   * @param rows every mode, the single-process command before the Spark job, for each job and N
   * @param sessionStart wall seconds to start the first local Spark session of the JVM
   */
  public record Result(List<Row> rows, double sessionStart) {}

  /** Runs every mode. */
  public static Result run(Config c) throws IOException {
    SceneGenerator gen = SceneGenerator.builder().optWidth(c.width()).optHeight(c.height()).build();
    Path warm = scenes(c.work().resolve("warmup"), c.warmup(), 8L, gen);
    Path set = scenes(c.work().resolve("scenes"), c.images(), 7L, gen);
    LowLightTwin.Synthesis synthesis = LowLightTwin.Synthesis.create(c.preset(), Map.of());
    List<Row> rows = new ArrayList<>();
    double sessionStart = Double.NaN;
    int[] n = {0};
    for (int cores : c.sparkCores()) {
      long s0 = System.nanoTime();
      SparkSession spark = SparkSessions.start("lowlight-spark bench", "local[" + cores + "]", Map.of());
      if (Double.isNaN(sessionStart)) {
        sessionStart = (System.nanoTime() - s0) / 1e9; // the first: what a command pays once
      }
      try {
        String local = "Spark local[" + cores + "]";
        Mode synthSingle = (d, out) -> LowLightTwin.make(d.resolve("annotations.json"), d.resolve("images"), out,
            synthesis, 1L, cores, ProgressListener.NONE);
        Mode synthSpark = (d, out) -> SparkTwin.run(spark, new SparkTwin.Request(d.resolve("annotations.json").toString(),
            d.resolve("images").toString(), out.toString(), c.preset(), Map.of(), 1L, 0));
        rows.addAll(pair(c, warm, set, n, "synth", cores, "lowlight synth, " + cores + (cores == 1 ? " thread"
            : " threads"), synthSingle, local, synthSpark));
        Mode predictSingle = (d, out) -> predictLocally(c.model(), d.resolve("images"), out, cores);
        Mode predictSpark = (d, out) -> SparkPredict.run(spark, new SparkPredict.Request(c.model().toString(),
            d.resolve("images").toString(), out.toString(), PredictSettings.defaults(1), 0, true, true));
        rows.addAll(pair(c, warm, set, n, "predict", cores, "lowlight predict, " + cores + " ONNX Runtime thread"
            + (cores == 1 ? "" : "s"), predictSingle, local + ", 1 thread per task", predictSpark));
      } finally {
        spark.stop();
      }
    }
    return new Result(rows, sessionStart);
  }

  /** A way to process a dataset directory into an output directory. */
  private interface Mode {
    void run(Path dataset, Path out) throws IOException;
  }

  /** The single-process mode and the Spark mode, warmed up, then timed in turn; the fastest of each. */
  private static List<Row> pair(Config c, Path warm, Path set, int[] n, String job, int cores, String singleName,
      Mode single, String sparkName, Mode spark) throws IOException {
    single.run(warm, c.work().resolve("out-" + ++n[0]));
    spark.run(warm, c.work().resolve("out-" + ++n[0]));
    Row a = null;
    Row b = null;
    for (int r = 0; r < c.repeats(); r++) {
      a = time(job, singleName, cores, c.images(), () -> single.run(set, c.work().resolve("out-" + ++n[0])))
          .fastest(a);
      b = time(job, sparkName, cores, c.images(), () -> spark.run(set, c.work().resolve("out-" + ++n[0])))
          .fastest(b);
    }
    return List.of(a, b);
  }

  private static Path scenes(Path dir, int count, long seed, SceneGenerator gen) throws IOException {
    SceneDataset.write(dir, count, seed, gen, ProgressListener.NONE);
    return dir;
  }

  /** Something timed. */
  private interface Work {
    void run() throws IOException;
  }

  private static Row time(String job, String mode, int cores, int images, Work work) throws IOException {
    double c0 = cpuSeconds();
    long t0 = System.nanoTime();
    work.run();
    return new Row(job, mode, cores, images, (System.nanoTime() - t0) / 1e9, cpuSeconds() - c0);
  }

  private static double cpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  /** What {@code lowlight predict --input DIR} does, without the progress bar. */
  private static void predictLocally(Path model, Path images, Path out, int threads) throws IOException {
    Files.createDirectories(out);
    List<String> files = DistributedFiles.list(new Configuration(), images.toUri().toString(),
        DistributedFiles::isImageName);
    List<CocoResult> results = new ArrayList<>();
    Map<Long, String> names = new LinkedHashMap<>();
    try (LowlightPredictor p = LowlightPredictor.open(model, PredictSettings.defaults(threads).toOptions())) {
      long id = 0;
      for (String f : files) {
        id++;
        Path file = Path.of(java.net.URI.create(f));
        RgbImage rgb = ImageFiles.read(file);
        names.put(id, file.getFileName().toString());
        results.addAll(CocoResults.from(id, p.predict(rgb), null));
      }
    }
    CocoWriter.writeResults(results, names, out.resolve(SparkPredict.PREDICTIONS_JSON));
  }

  /**
   * The table: each mode's images per second and wall and CPU milliseconds per image; Spark's
   * overhead per image against the single-process command on as many cores; and COCO train2017 on
   * clusters of a few sizes at the one-core Spark cost.
   */
  public static String table(Config c, Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d scenes of %dx%d, preset %s, model %s; fastest of %d; %d cores, load"
        + " average %.1f at the end%n%n", c.images(), c.width(), c.height(), c.preset(), c.model().getFileName(),
        c.repeats(), Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    sb.append(String.format(Locale.ROOT, "| %-7s | %-40s | %8s | %13s | %12s |%n", "job", "mode", "images/s",
        "wall ms/image", "CPU ms/image"));
    sb.append("| ------- | ---------------------------------------- | -------: | ------------: | -----------: |\n");
    for (Row row : r.rows()) {
      sb.append(String.format(Locale.ROOT, "| %-7s | %-40s | %8.2f | %13.1f | %12.1f |%n", row.job(), row.mode(),
          row.imagesPerSecond(), row.wallMsPerImage(), row.cpuMsPerImage()));
    }
    sb.append(String.format(Locale.ROOT, "%nStarting a local Spark session: %.1f s, once per command.%n",
        r.sessionStart()));
    for (int i = 0; i + 1 < r.rows().size(); i += 2) {
      Row single = r.rows().get(i);
      Row spark = r.rows().get(i + 1);
      sb.append(String.format(Locale.ROOT, "%s on %d core(s): Spark's overhead %+.1f ms CPU and %+.1f ms wall per"
          + " image (%+.0f%% CPU)%n", single.job(), single.cores(), spark.cpuMsPerImage() - single.cpuMsPerImage(),
          spark.wallMsPerImage() - single.wallMsPerImage(),
          100 * (spark.cpuMsPerImage() / single.cpuMsPerImage() - 1)));
    }
    for (Row row : r.rows()) {
      if (row.cores() == 1 && row.mode().startsWith("Spark")) {
        sb.append(String.format(Locale.ROOT, "COCO train2017 (%d images) %s at %.3f CPU s per image:",
            COCO_TRAIN2017, row.job(), row.cpuMsPerImage() / 1000));
        for (int cores : new int[] {16, 64, 256}) {
          sb.append(String.format(Locale.ROOT, " %d cores %s;", cores,
              duration(COCO_TRAIN2017 * row.cpuMsPerImage() / 1000 / cores)));
        }
        sb.setLength(sb.length() - 1);
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  private static String duration(double seconds) {
    if (seconds < 120) {
      return String.format(Locale.ROOT, "%.0f s", seconds);
    }
    if (seconds < 7200) {
      return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }
}
