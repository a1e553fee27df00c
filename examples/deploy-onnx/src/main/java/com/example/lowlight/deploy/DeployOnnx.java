package com.example.lowlight.deploy;

import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.runtime.PredictorOptions;
import dev.lowlight.runtime.output.CocoResults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Serves an exported model over a list of images from a pool of threads and writes the COCO
 * results file. Only {@code sdk-runtime} (ONNX Runtime) is on the classpath: no PyTorch.
 *
 * <pre>
 * DeployOnnx --model model.onnx --output results.json [--threads 4] [--score 0.05] [--device cpu|cuda|auto]
 *            (IMAGE | DIR)...                       ids 1..n in sorted path order, labels as category ids
 * DeployOnnx --model model.onnx --output results.json --ann A.json --images DIR
 *                                                   ids, files and category ids from the COCO dataset
 * </pre>
 */
public final class DeployOnnx {

  private DeployOnnx() {}

  /**
   * Runs the service once over the images the arguments name.
   *
   * @param args see the class comment
   * @throws IOException when an input cannot be listed or the results cannot be written
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> opts = new HashMap<>();
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        opts.put(args[i], args[++i]);
      } else {
        inputs.add(Path.of(args[i]));
      }
    }
    Path model = Path.of(required(opts, "--model"));
    Path output = Path.of(required(opts, "--output"));
    int threads = Integer.parseInt(opts.getOrDefault("--threads", "4"));

    List<PredictionService.Request> requests = new ArrayList<>();
    Map<Integer, Long> categories = null;
    if (opts.containsKey("--ann")) {
      CocoDataset ds = CocoReader.readDataset(Path.of(opts.get("--ann")));
      Path images = Path.of(required(opts, "--images"));
      for (CocoImage im : ds.images()) {
        requests.add(new PredictionService.Request(im.id(), images.resolve(im.fileName())));
      }
      categories = categoryOfLabel(ds);
    } else {
      List<Path> files = imageFiles(inputs);
      for (int i = 0; i < files.size(); i++) {
        requests.add(new PredictionService.Request(i + 1, files.get(i)));
      }
    }
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("no images given; name image files or directories, or --ann and --images");
    }

    // Each call uses a share of the cores, so that the workers do not oversubscribe them.
    int cores = Runtime.getRuntime().availableProcessors();
    PredictorOptions options = PredictorOptions.builder().optDevice(opts.getOrDefault("--device", "cpu"))
        .optScoreThreshold(Float.parseFloat(opts.getOrDefault("--score", "0.05")))
        .optIntraOpThreads(Math.max(1, cores / threads)).build();
    long t0 = System.nanoTime();
    try (PredictionService service = new PredictionService(model, threads, options, categories)) {
      List<CocoResult> results = service.predict(requests);
      double seconds = (System.nanoTime() - t0) / 1e9;
      CocoResults.write(results, output);
      System.out.printf(Locale.ROOT, "%d images, %d detections in %.2f s (%.1f images/s) on %d threads, ONNX Runtime"
          + " %s provider%n", requests.size(), results.size(), seconds, requests.size() / seconds, threads,
          service.predictor().provider());
      System.out.println("classes: " + service.predictor().info().classNames());
      System.out.println("results: " + output.toAbsolutePath());
    }
  }

  /** Model label k is the k-th category by increasing id, as the SDK's data loader numbers them. */
  static Map<Integer, Long> categoryOfLabel(CocoDataset ds) {
    List<CocoCategory> cats = new ArrayList<>(ds.categories());
    cats.sort(Comparator.comparingLong(CocoCategory::id));
    Map<Integer, Long> out = new HashMap<>();
    for (int i = 0; i < cats.size(); i++) {
      out.put(i + 1, cats.get(i).id());
    }
    return out;
  }

  /** The files named, and the image files in the directories named, each list sorted. */
  static List<Path> imageFiles(List<Path> inputs) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp)"))
              .sorted().forEach(out::add);
        }
      } else if (Files.isRegularFile(p)) {
        out.add(p);
      } else {
        throw new IllegalArgumentException(p + ": no such image file or directory");
      }
    }
    return out;
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return v;
  }
}
