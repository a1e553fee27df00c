package dev.lowlight.bench.data;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoWriter;
import dev.lowlight.data.dataset.ProgressListener;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.image.ImageCodec;
import dev.lowlight.data.image.ImageCodecs;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.image.ImageIoCodec;
import dev.lowlight.data.image.OpenCvCodec;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.data.loading.CocoLoader;
import dev.lowlight.data.scenes.SceneGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Data loading throughput: decoding 640x480 JPEGs to float RGB with OpenCV and with ImageIO, on one
 * thread and on all cores, and the {@link CocoLoader}'s batches per second at the default
 * Mask R-CNN size (800/1333) — the numbers of {@code lowlight bench data}.
 *
 * <pre>{@code
 * DataBenchmark.Report r = DataBenchmark.run(DataBenchmark.Settings.defaults());
 * System.out.println(DataBenchmark.table(r));
 * }</pre>
 *
 * <p>The images are procedural scenes encoded at JPEG quality 0.9, written to a temporary folder
 * (deleted afterwards) and read through the file system cache, as a training run reads them.
 */
public final class DataBenchmark {

  private DataBenchmark() {}

  /**
   * What to measure.
   *
   * @param width image width
   * @param height image height
   * @param distinctImages JPEG files generated (decoded round-robin)
   * @param decodes timed decodes per (codec, thread count)
   * @param loaderBatches timed loader batches
   * @param batchSize loader batch size
   * @param threads the "all cores" thread count
   */
  public record Settings(int width, int height, int distinctImages, int decodes, int loaderBatches, int batchSize,
      int threads) {

    /** Validates the counts. */
    public Settings {
      if (width < 1 || height < 1 || distinctImages < 1 || decodes < 1 || loaderBatches < 1 || batchSize < 1
          || threads < 1) {
        throw new IllegalArgumentException("every benchmark setting must be positive: " + width + "x" + height
            + ", images " + distinctImages + ", decodes " + decodes + ", batches " + loaderBatches + ", batch size "
            + batchSize + ", threads " + threads);
      }
    }

    /** 640x480, 16 files, 200 decodes, 30 batches of 2, all cores. */
    public static Settings defaults() {
      return new Settings(640, 480, 16, 200, 30, 2, Runtime.getRuntime().availableProcessors());
    }
  }

  /**
   * One decoding measurement.
   *
   * @param codec {@code opencv} or {@code imageio}
   * @param threads decoding threads
   * @param msPerImage wall time per image on one thread (threads × wall / images)
   * @param cpuMsPerImage CPU time of the decoding threads per image, which a busy shared machine
   *     disturbs much less than wall time
   * @param imagesPerSecond images decoded per second of wall time, all threads together
   */
  public record DecodeRow(String codec, int threads, double msPerImage, double cpuMsPerImage,
      double imagesPerSecond) {}

  /**
   * One loader measurement.
   *
   * @param codec the loader's codec
   * @param workers loader worker threads
   * @param batchSize images per batch
   * @param batchesPerSecond batches returned per second by {@code next()}
   * @param imagesPerSecond images per second
   * @param cpuMsPerImage CPU time of the whole process per image (NaN where the JVM cannot tell),
   *     less sensitive than wall time to other work on a shared machine
   */
  public record LoaderRow(String codec, int workers, int batchSize, double batchesPerSecond, double imagesPerSecond,
      double cpuMsPerImage) {}

  /**
   * The measurements.
   *
   * @param settings what was measured
   * @param decode decoding rows, OpenCV first where it loads
   * @param loader loader rows
   * @param openCvUnavailable why OpenCV was not measured, {@code null} when it was
   */
  public record Report(Settings settings, List<DecodeRow> decode, List<LoaderRow> loader, String openCvUnavailable) {}

  /** Generates the JPEGs in a temporary folder, measures, and deletes the folder. */
  public static Report run(Settings s) {
    Path dir;
    try {
      dir = Files.createTempDirectory("lowlight-bench-data");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder for the benchmark images", e);
    }
    try {
      return run(s, dir);
    } finally {
      deleteTree(dir);
    }
  }

  /** Measures with images generated under {@code dir}. */
  public static Report run(Settings s, Path dir) {
    List<Path> files;
    CocoDataset jpegDataset;
    try {
      SceneGenerator gen = SceneGenerator.builder().optWidth(s.width()).optHeight(s.height()).build();
      CocoDataset png = SceneDataset.write(dir, s.distinctImages(), 2024L, gen, ProgressListener.NONE);
      List<CocoImage> images = new ArrayList<>();
      files = new ArrayList<>();
      for (CocoImage img : png.images()) {
        Path src = dir.resolve(SceneDataset.IMAGES).resolve(img.fileName());
        String jpgName = img.fileName().replaceFirst("\\.png$", ".jpg");
        Path jpg = dir.resolve(SceneDataset.IMAGES).resolve(jpgName);
        RgbImage pixels = ImageIoCodec.INSTANCE.read(src);
        ImageFiles.write(pixels, jpg, 0.9f);
        Files.delete(src);
        files.add(jpg);
        images.add(new CocoImage(img.id(), jpgName, img.width(), img.height()));
      }
      jpegDataset = new CocoDataset(png.info(), images, png.categories(), png.annotations());
      CocoWriter.writeDataset(jpegDataset, dir.resolve("jpeg.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the benchmark images under " + dir + ": " + e.getMessage(), e);
    }
    List<ImageCodec> codecs = new ArrayList<>();
    String unavailable = null;
    OpenCvCodec cv = ImageCodecs.openCvOrNull();
    if (cv != null) {
      codecs.add(cv);
    } else {
      unavailable = "OpenCV's native library does not load on " + System.getProperty("os.name") + "/"
          + System.getProperty("os.arch");
    }
    codecs.add(ImageIoCodec.INSTANCE);
    List<Integer> threadCounts = s.threads() == 1 ? List.of(1) : List.of(1, s.threads());
    List<DecodeRow> decode = new ArrayList<>();
    for (ImageCodec codec : codecs) {
      for (int t : threadCounts) {
        decode.add(decode(codec, files, t, s.decodes()));
      }
    }
    List<LoaderRow> loader = new ArrayList<>();
    for (ImageCodec codec : codecs) {
      loader.add(loader(codec, jpegDataset, dir.resolve(SceneDataset.IMAGES), s));
    }
    return new Report(s, List.copyOf(decode), List.copyOf(loader), unavailable);
  }

  private static DecodeRow decode(ImageCodec codec, List<Path> files, int threads, int decodes) {
    // Warm-up: the JIT, the native libraries and the page cache.
    for (int i = 0; i < Math.max(files.size(), 50); i++) {
      codec.read(files.get(i % files.size()));
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    boolean cpuTime = mx.isCurrentThreadCpuTimeSupported();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      double[] seconds = new double[3];
      double[] cpuSeconds = new double[3];
      for (int round = 0; round < 3; round++) {
        List<Future<Long>> parts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          int first = t;
          parts.add(pool.submit(() -> {
            long c0 = cpuTime ? mx.getCurrentThreadCpuTime() : 0;
            long sink = 0;
            for (int i = first; i < decodes; i += threads) {
              sink += codec.read(files.get(i % files.size())).pixels().length;
            }
            return cpuTime ? mx.getCurrentThreadCpuTime() - c0 : 0;
          }));
        }
        long cpu = 0;
        for (Future<Long> f : parts) {
          cpu += f.get();
        }
        seconds[round] = (System.nanoTime() - t0) / 1e9;
        cpuSeconds[round] = cpu / 1e9;
      }
      // The median of three rounds: the machine may be shared.
      java.util.Arrays.sort(seconds);
      java.util.Arrays.sort(cpuSeconds);
      double wall = seconds[1];
      double cpuMs = cpuTime ? 1000.0 * cpuSeconds[1] / decodes : Double.NaN;
      return new DecodeRow(codec.name(), threads, 1000.0 * wall * threads / decodes, cpuMs, decodes / wall);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("decoding failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static LoaderRow loader(ImageCodec codec, CocoDataset dataset, Path imageDir, Settings s) {
    try (CocoLoader l = CocoLoader.builder().optDataset(dataset).setImageDir(imageDir).setBatchSize(s.batchSize())
        .optCodec(codec).optWorkers(s.threads()).optSeed(1).build()) {
      // Warm-up: the JIT compiles the resize and mask loops.
      for (int i = 0; i < 6; i++) {
        l.next();
      }
      long sink = 0;
      long c0 = processCpuNanos();
      long t0 = System.nanoTime();
      for (int i = 0; i < s.loaderBatches(); i++) {
        Batch b = l.next();
        sink += b.size();
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      long c1 = processCpuNanos();
      // Prefetched batches beyond the last one taken are included: a small overestimate.
      double cpuMs = c0 < 0 || c1 < 0 ? Double.NaN : (c1 - c0) / 1e6 / sink;
      return new LoaderRow(codec.name(), s.threads(), s.batchSize(), s.loaderBatches() / wall, sink / wall, cpuMs);
    }
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** The report as a text table. */
  public static String table(Report r) {
    StringBuilder sb = new StringBuilder();
    Settings s = r.settings();
    sb.append(String.format(Locale.ROOT, "decode %dx%d JPEG (q=0.9) to float RGB%n", s.width(), s.height()));
    sb.append(String.format(Locale.ROOT, "%-8s %7s %10s %13s %10s%n", "codec", "threads", "ms/image", "cpu ms/image",
        "images/s"));
    for (DecodeRow d : r.decode()) {
      sb.append(String.format(Locale.ROOT, "%-8s %7d %10.2f %13.2f %10.1f%n", d.codec(), d.threads(), d.msPerImage(),
          d.cpuMsPerImage(), d.imagesPerSecond()));
    }
    DecodeRow cv1 = row(r, "opencv", 1);
    DecodeRow io1 = row(r, "imageio", 1);
    if (cv1 != null && io1 != null) {
      sb.append(String.format(Locale.ROOT, "opencv speed-up, one thread: %.2fx wall, %.2fx cpu%n",
          io1.msPerImage() / cv1.msPerImage(), io1.cpuMsPerImage() / cv1.cpuMsPerImage()));
    }
    if (r.openCvUnavailable() != null) {
      sb.append("opencv not measured: ").append(r.openCvUnavailable()).append(System.lineSeparator());
    }
    sb.append(String.format(Locale.ROOT, "loader (decode, flip, normalise, resize 800/1333, pad to 32, batch)%n"));
    sb.append(String.format(Locale.ROOT, "%-8s %7s %6s %10s %10s %13s%n", "codec", "workers", "batch", "batches/s",
        "images/s", "cpu ms/image"));
    for (LoaderRow l : r.loader()) {
      sb.append(String.format(Locale.ROOT, "%-8s %7d %6d %10.2f %10.1f %13.1f%n", l.codec(), l.workers(),
          l.batchSize(), l.batchesPerSecond(), l.imagesPerSecond(), l.cpuMsPerImage()));
    }
    return sb.toString();
  }

  private static DecodeRow row(Report r, String codec, int threads) {
    return r.decode().stream().filter(d -> d.codec().equals(codec) && d.threads() == threads).findFirst()
        .orElse(null);
  }

  /**
   * Runs with defaults, or {@code [decodes [loaderBatches [batchSize]]]}, and prints the table.
   */
  public static void main(String[] args) {
    Settings d = Settings.defaults();
    Settings s = new Settings(d.width(), d.height(), d.distinctImages(),
        args.length > 0 ? Integer.parseInt(args[0]) : d.decodes(),
        args.length > 1 ? Integer.parseInt(args[1]) : d.loaderBatches(),
        args.length > 2 ? Integer.parseInt(args[2]) : d.batchSize(), d.threads());
    System.out.print(table(run(s)));
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Leftover temporary files are harmless; the numbers are what the caller asked for.
    }
  }
}
