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
 * then timed on a quarter of the images and on all of them, the single-process command and the
 * Spark job in turn so that both see the same load on a shared machine. The two sizes give a line
 * per mode: its slope is the cost of one more image, its intercept the cost of a job of none.
 * Times are wall-clock and the process's CPU time; CPU seconds per image are what a core spends,
 * and what a dedicated cluster core would. Spark's overhead is the difference of the slopes (per
 * image) and of the intercepts (per job, besides starting the session); COCO train2017 on a
 * cluster is then {@code intercept + images x slope on one core / cores}.
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
   * @param images how many scenes in the full set (a quarter of them is the small set)
   * @param width scene width
   * @param height scene height
   * @param warmup scenes of the untimed first pass of each mode
   * @param sparkCores the {@code N} of each {@code local[N]} timed
   * @param preset the synthesizer
   */
  public record Config(Path work, Path model, int images, int width, int height, int warmup, List<Integer> sparkCores,
      String preset) {

    /** Checks the counts. */
    public Config {
      if (images < 8 || warmup < 1 || width < 16 || height < 16 || sparkCores.isEmpty()) {
        throw new IllegalArgumentException("need images >= 8, warmup >= 1, a size of at least 16x16 and one local[N];"
            + " got " + images + " images, warmup " + warmup + ", " + width + "x" + height + ", " + sparkCores);
      }
    }
  }

  /**
   * One timed run.
   *
   * @param job {@code synth} or {@code predict}
   * @param mode how it ran
   * @param cores cores it used
   * @param images images processed
   * @param wall wall-clock seconds
   * @param cpu CPU seconds of the whole process
   */
  public record Run(String job, String mode, int cores, int images, double wall, double cpu) {}

  /**
   * A mode's two runs as a line.
   *
   * @param small the run on a quarter of the images
   * @param full the run on all of them
   */
  public record Line(Run small, Run full) {
    /** Wall seconds per further image. */
    public double wallPerImage() {
      return (full.wall() - small.wall()) / (full.images() - small.images());
    }

    /** CPU seconds per further image. */
    public double cpuPerImage() {
      return (full.cpu() - small.cpu()) / (full.images() - small.images());
    }

    /** Wall seconds of a job of no image. */
    public double wallFixed() {
      return full.wall() - wallPerImage() * full.images();
    }

    /** Images per second on all of them. */
    public double imagesPerSecond() {
      return full.images() / full.wall();
    }
  }

  /**
   * What the run measured.
   *
   * @param lines every mode, in the order run
   * @param sessionStart wall seconds to start the first local Spark session of the JVM
   */
  public record Result(List<Line> lines, double sessionStart) {}

  /** Runs every mode. */
  public static Result run(Config c) throws IOException {
    SceneGenerator gen = SceneGenerator.builder().optWidth(c.width()).optHeight(c.height()).build();
    Path warm = scenes(c.work().resolve("warmup"), c.warmup(), 8L, gen);
    Path small = scenes(c.work().resolve("small"), Math.max(2, c.images() / 4), 9L, gen);
    Path full = scenes(c.work().resolve("full"), c.images(), 7L, gen);
    LowLightTwin.Synthesis synthesis = LowLightTwin.Synthesis.create(c.preset(), Map.of());
    List<Line> lines = new ArrayList<>();
    double sessionStart = Double.NaN;
    int n = 0;
    for (int cores : c.sparkCores()) {
      long s0 = System.nanoTime();
      SparkSession spark = SparkSessions.start("lowlight-spark bench", "local[" + cores + "]", Map.of());
      if (Double.isNaN(sessionStart)) {
        sessionStart = (System.nanoTime() - s0) / 1e9; // the first: what a command pays once
      }
      try {
        String local = "Spark local[" + cores + "]";
        String single = "lowlight synth, " + cores + (cores == 1 ? " thread" : " threads");
        List<Run> singles = new ArrayList<>();
        List<Run> sparks = new ArrayList<>();
        for (Path set : List.of(warm, small, full)) {
          Path out = c.work().resolve("out-" + ++n);
          singles.add(time("synth", single, cores, set, () -> LowLightTwin.make(set.resolve("annotations.json"),
              set.resolve("images"), out.resolve("single"), synthesis, 1L, cores, ProgressListener.NONE)));
          sparks.add(time("synth", local, cores, set, () -> SparkTwin.run(spark, new SparkTwin.Request(
              set.resolve("annotations.json").toString(), set.resolve("images").toString(),
              out.resolve("spark").toString(), c.preset(), Map.of(), 1L, 0))));
        }
        lines.add(new Line(singles.get(1), singles.get(2)));
        lines.add(new Line(sparks.get(1), sparks.get(2)));

        single = "lowlight predict, " + cores + " ONNX Runtime thread" + (cores == 1 ? "" : "s");
        singles.clear();
        sparks.clear();
        for (Path set : List.of(warm, small, full)) {
          Path out = c.work().resolve("out-" + ++n);
          singles.add(time("predict", single, cores, set, () -> predictLocally(c.model(), set.resolve("images"),
              out.resolve("single"), cores)));
          sparks.add(time("predict", local + ", 1 thread per task", cores, set, () -> SparkPredict.run(spark,
              new SparkPredict.Request(c.model().toString(), set.resolve("images").toString(),
                  out.resolve("spark").toString(), PredictSettings.defaults(1), 0, true, true))));
        }
        lines.add(new Line(singles.get(1), singles.get(2)));
        lines.add(new Line(sparks.get(1), sparks.get(2)));
      } finally {
        spark.stop();
      }
    }
    return new Result(lines, sessionStart);
  }

  private static Path scenes(Path dir, int count, long seed, SceneGenerator gen) throws IOException {
    SceneDataset.write(dir, count, seed, gen, ProgressListener.NONE);
    return dir;
  }

  /** Something timed. */
  private interface Work {
    void run() throws IOException;
  }

  private static Run time(String job, String mode, int cores, Path set, Work work) throws IOException {
    int images;
    try (var files = Files.list(set.resolve("images"))) {
      images = (int) files.count();
    }
    double c0 = cpuSeconds();
    long t0 = System.nanoTime();
    work.run();
    return new Run(job, mode, cores, images, (System.nanoTime() - t0) / 1e9, cpuSeconds() - c0);
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
   * The table: each mode's images per second on all the images, its cost per further image in
   * wall and CPU time and its fixed cost per job; then Spark's overhead against the
   * single-process command on as many cores, and COCO train2017 on clusters of a few sizes at the
   * one-core Spark cost.
   */
  public static String table(Config c, Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d and %d scenes of %dx%d, preset %s, model %s; %d cores, load average"
        + " %.1f at the end%n%n", Math.max(2, c.images() / 4), c.images(), c.width(), c.height(), c.preset(),
        c.model().getFileName(), Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    sb.append(String.format(Locale.ROOT, "| %-7s | %-40s | %8s | %13s | %12s | %9s |%n", "job", "mode", "images/s",
        "wall ms/image", "CPU ms/image", "fixed s"));
    sb.append("| ------- | ---------------------------------------- | -------: | ------------: | -----------: | --------: |\n");
    for (Line l : r.lines()) {
      sb.append(String.format(Locale.ROOT, "| %-7s | %-40s | %8.2f | %13.1f | %12.1f | %9.2f |%n", l.full().job(),
          l.full().mode(), l.imagesPerSecond(), 1000 * l.wallPerImage(), 1000 * l.cpuPerImage(), l.wallFixed()));
    }
    sb.append(String.format(Locale.ROOT, "%nStarting a local Spark session: %.1f s, once per command.%n",
        r.sessionStart()));
    for (int i = 0; i + 1 < r.lines().size(); i += 2) {
      Line single = r.lines().get(i);
      Line spark = r.lines().get(i + 1);
      sb.append(String.format(Locale.ROOT, "%s on %d core(s): Spark's overhead %+.1f ms CPU and %+.1f ms wall per"
          + " image, %+.2f s per job%n", single.full().job(), single.full().cores(),
          1000 * (spark.cpuPerImage() - single.cpuPerImage()), 1000 * (spark.wallPerImage() - single.wallPerImage()),
          spark.wallFixed() - single.wallFixed()));
    }
    for (Line l : r.lines()) {
      if (l.full().cores() == 1 && l.full().mode().startsWith("Spark")) {
        sb.append(String.format(Locale.ROOT, "COCO train2017 (%d images) %s at %.3f CPU s per image:",
            COCO_TRAIN2017, l.full().job(), l.cpuPerImage()));
        for (int cores : new int[] {16, 64, 256}) {
          double seconds = l.wallFixed() + COCO_TRAIN2017 * l.cpuPerImage() / cores;
          sb.append(String.format(Locale.ROOT, " %d cores %s;", cores, duration(seconds)));
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
