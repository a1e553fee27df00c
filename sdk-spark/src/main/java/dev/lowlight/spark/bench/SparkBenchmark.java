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
 * JVM: synthesis and prediction with {@code local[1]}, {@code local[2]} (more generally {@code
 * local[N]} for each N asked) and the code the single-machine commands run ({@code lowlight synth}:
 * {@link LowLightTwin#make} on 1 thread and on every core; {@code lowlight predict}: read, predict,
 * COCO results, one JSON file, with 1 ONNX Runtime thread and with its default of every core).
 *
 * <p>Each mode first runs untimed on the first {@code warmup} images (class loading, JIT, the
 * Spark session's first job), then timed on all of them. Spark's overhead per image is the time a
 * one-core Spark job takes per image beyond the single-process command on one thread; the fixed
 * cost of starting a session is reported apart. From them, the cost of a dataset on a cluster is
 * {@code images x (per-image time on one core) / cores}.
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
   * @param warmup images of the untimed first pass of each mode
   * @param sparkCores the {@code N} of each {@code local[N]} timed
   * @param preset the synthesizer
   */
  public record Config(Path work, Path model, int images, int width, int height, int warmup, List<Integer> sparkCores,
      String preset) {

    /** Checks the counts. */
    public Config {
      if (images < 1 || warmup < 1 || width < 16 || height < 16 || sparkCores.isEmpty()) {
        throw new IllegalArgumentException("need images >= 1, warmup >= 1, a size of at least 16x16 and one local[N];"
            + " got " + images + " images, warmup " + warmup + ", " + width + "x" + height + ", " + sparkCores);
      }
    }
  }

  /**
   * One timed mode.
   *
   * @param job {@code synth} or {@code predict}
   * @param mode how it ran
   * @param cores cores it used
   * @param images images processed
   * @param seconds wall time of the timed run
   */
  public record Row(String job, String mode, int cores, int images, double seconds) {
    /** Images per second. */
    public double imagesPerSecond() {
      return images / seconds;
    }

    /** Milliseconds per image and core: the cost of one image on one core. */
    public double coreMsPerImage() {
      return 1000 * seconds * cores / images;
    }
  }

  /**
   * What the run measured.
   *
   * @param rows every timed mode
   * @param sessionStartSeconds time to start the first local Spark session of the JVM
   */
  public record Result(List<Row> rows, double sessionStartSeconds) {}

  /** Runs every mode. */
  public static Result run(Config c) throws IOException {
    Path clean = c.work().resolve("scenes");
    SceneGenerator gen = SceneGenerator.builder().optWidth(c.width()).optHeight(c.height()).build();
    SceneDataset.write(clean, c.images(), 7L, gen, ProgressListener.NONE);
    Path warm = c.work().resolve("warmup");
    SceneDataset.write(warm, c.warmup(), 8L, gen, ProgressListener.NONE);
    List<Row> rows = new ArrayList<>();
    LowLightTwin.Synthesis synthesis = LowLightTwin.Synthesis.create(c.preset(), Map.of());
    int cores = Runtime.getRuntime().availableProcessors();

    for (int threads : List.of(1, cores)) {
      String mode = "lowlight synth, " + threads + (threads == 1 ? " thread" : " threads (default)");
      LowLightTwin.make(warm.resolve("annotations.json"), warm.resolve("images"), c.work().resolve("w-synth-" + threads),
          synthesis, 1L, threads, ProgressListener.NONE);
      long t0 = System.nanoTime();
      LowLightTwin.make(clean.resolve("annotations.json"), clean.resolve("images"), c.work().resolve("synth-" + threads),
          synthesis, 1L, threads, ProgressListener.NONE);
      rows.add(new Row("synth", mode, threads, c.images(), seconds(t0)));
    }
    for (int threads : List.of(1, 0)) {
      String mode = "lowlight predict, " + (threads == 1 ? "1 thread" : "ONNX Runtime's threads (default)");
      predictLocally(c.model(), warm.resolve("images"), c.work().resolve("w-predict-" + threads), threads);
      long t0 = System.nanoTime();
      predictLocally(c.model(), clean.resolve("images"), c.work().resolve("predict-" + threads), threads);
      rows.add(new Row("predict", mode, threads == 0 ? cores : 1, c.images(), seconds(t0)));
    }

    double sessionStart = 0;
    for (int n : c.sparkCores()) {
      long s0 = System.nanoTime();
      SparkSession spark = SparkSessions.start("lowlight-spark bench", "local[" + n + "]", Map.of());
      if (sessionStart == 0) {
        sessionStart = seconds(s0); // the first: what a command pays once
      }
      try {
        String name = "local[" + n + "]";
        synthSpark(spark, warm, c.work().resolve("w-spark-synth-" + n), c.preset());
        long t0 = System.nanoTime();
        synthSpark(spark, clean, c.work().resolve("spark-synth-" + n), c.preset());
        rows.add(new Row("synth", "Spark " + name, n, c.images(), seconds(t0)));

        predictSpark(spark, c.model(), warm.resolve("images"), c.work().resolve("w-spark-predict-" + n));
        t0 = System.nanoTime();
        predictSpark(spark, c.model(), clean.resolve("images"), c.work().resolve("spark-predict-" + n));
        rows.add(new Row("predict", "Spark " + name + ", 1 thread per task", n, c.images(), seconds(t0)));
      } finally {
        spark.stop();
      }
    }
    return new Result(rows, sessionStart);
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

  private static void synthSpark(SparkSession spark, Path dataset, Path out, String preset) throws IOException {
    SparkTwin.run(spark, new SparkTwin.Request(dataset.resolve("annotations.json").toString(),
        dataset.resolve("images").toString(), out.toString(), preset, Map.of(), 1L, 0));
  }

  private static void predictSpark(SparkSession spark, Path model, Path images, Path out) throws IOException {
    SparkPredict.run(spark, new SparkPredict.Request(model.toString(), images.toString(), out.toString(),
        PredictSettings.defaults(1), 0, true, true));
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * The table: every mode's images per second and per-image cost on one core, Spark's overhead per
   * image (a one-core Spark job against the single-process command on one thread), and what COCO
   * train2017 would take on clusters of a few sizes at the one-core Spark cost.
   */
  public static String table(Config c, Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d scenes of %dx%d, preset %s, model %s; %d cores here%n%n", c.images(),
        c.width(), c.height(), c.preset(), c.model().getFileName(), Runtime.getRuntime().availableProcessors()));
    sb.append(String.format(Locale.ROOT, "| %-7s | %-45s | %5s | %8s | %12s |%n", "job", "mode", "cores", "images/s",
        "core-ms/img"));
    sb.append("| ------- | --------------------------------------------- | ----: | -------: | -----------: |\n");
    for (Row row : r.rows()) {
      sb.append(String.format(Locale.ROOT, "| %-7s | %-45s | %5d | %8.2f | %12.1f |%n", row.job(), row.mode(),
          row.cores(), row.imagesPerSecond(), row.coreMsPerImage()));
    }
    sb.append(String.format(Locale.ROOT, "%nStarting a local Spark session: %.1f s (once per job, not per image).%n",
        r.sessionStartSeconds()));
    for (String job : List.of("synth", "predict")) {
      Row single = find(r, job, 1, "lowlight");
      Row spark = find(r, job, 1, "Spark");
      if (single == null || spark == null) {
        continue;
      }
      double overhead = (spark.seconds() - single.seconds()) * 1000 / c.images();
      double perImage = spark.coreMsPerImage() / 1000;
      sb.append(String.format(Locale.ROOT, "%s: Spark's overhead %.1f ms per image (%.1f%% of %.1f ms); COCO train2017"
          + " (%d images) at %.3f core-s per image:", job, overhead, 100 * overhead / single.coreMsPerImage(),
          single.coreMsPerImage(), COCO_TRAIN2017, perImage));
      for (int cores : new int[] {16, 64, 256}) {
        sb.append(String.format(Locale.ROOT, " %d cores %s;", cores, duration(COCO_TRAIN2017 * perImage / cores)));
      }
      sb.setLength(sb.length() - 1);
      sb.append('\n');
    }
    return sb.toString();
  }

  private static Row find(Result r, String job, int cores, String prefix) {
    return r.rows().stream().filter(x -> x.job().equals(job) && x.cores() == cores && x.mode().startsWith(prefix))
        .findFirst().orElse(null);
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
