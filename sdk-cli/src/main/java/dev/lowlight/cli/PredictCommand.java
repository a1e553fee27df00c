package dev.lowlight.cli;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CategoryMapping;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoFormatException;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.CocoWriter;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.image.ImageReadException;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.Instance;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.ModelLoadException;
import dev.lowlight.runtime.PredictorOptions;
import dev.lowlight.runtime.output.CocoResults;
import dev.lowlight.runtime.output.Overlay;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lowlight predict}: instance masks for images, with an exported model on ONNX Runtime
 * ({@code --model model.onnx}) or eagerly with DJL ({@code --model MODEL_DIR}); both write the same
 * COCO results file and overlays.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Predict instance masks. Writes OUTPUT/predictions.json (COCO results: RLE masks; image_id is the",
        "1-based position of the input unless --ann gives the ids; each entry carries file_name) and, with",
        "--overlay, OUTPUT/<image>.png with coloured masks, boxes, class names and scores."})
final class PredictCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(PredictCommand.class);

  @Option(names = "--model", required = true, converter = ModelPath.class,
      description = "An exported model.onnx (ONNX Runtime), a model directory or zoo:NAME (eager DJL).")
  Path model;

  @Option(names = "--input", required = true, arity = "1..*", description = "Image files, or directories of images.")
  List<Path> inputs;

  @Option(names = "--output", required = true, description = "Output directory.")
  Path output;

  @Option(names = "--overlay", description = "Also write an overlay PNG per image.")
  boolean overlay;

  @Option(names = "--ann", description = "COCO annotations of the inputs: image ids by file name, categories matched to the model's classes by name.")
  Path annotations;

  @Option(names = "--category-map", description = "JSON object mapping model class names to dataset category names or ids.")
  Path categoryMap;

  @Option(names = "--score-threshold", defaultValue = "0.05", description = "Drop detections below this score (default: ${DEFAULT-VALUE}).")
  float scoreThreshold;

  @Option(names = "--device", defaultValue = "cpu", description = "ONNX Runtime device: cpu, cuda[:N] or auto (default: ${DEFAULT-VALUE}).")
  String device;

  @Spec CommandSpec spec;

  /** Runs a model on one image. */
  interface ImageModel extends AutoCloseable {
    List<String> classNames();

    Detections predict(RgbImage image);

    @Override
    void close();
  }

  @Override
  public Integer call() throws IOException {
    if (!Files.exists(model)) {
      throw new UserError(model + ": no such model file or directory");
    }
    List<Path> images = expand(inputs);
    Files.createDirectories(output);
    dev.lowlight.api.io.AtomicFiles.removeLeftovers(output);
    try (ImageModel m = open()) {
      Map<String, Long> ids = new LinkedHashMap<>();
      Map<Integer, Long> labels = null;
      if (annotations != null) {
        CocoDataset ds = readAnnotations();
        for (CocoImage i : ds.images()) {
          ids.put(i.fileName(), i.id());
        }
        labels = mapping(m.classNames(), ds).labelToCategory();
      } else if (categoryMap != null) {
        throw new UserError("--category-map needs --ann (the dataset whose categories it maps to)");
      }
      List<CocoResult> results = new ArrayList<>();
      Map<Long, String> fileNames = new LinkedHashMap<>();
      List<String> unreadable = new ArrayList<>();
      int position = 0;
      try (ProgressBar bar = new ProgressBar("predict", images.size())) {
        for (Path image : images) {
          position++;
          RgbImage rgb;
          try {
            rgb = ImageFiles.read(image);
          } catch (ImageReadException e) {
            // one bad file must not cost the others their predictions: said now, counted in the exit code
            spec.commandLine().getErr().println("lowlight: error: " + e.getMessage());
            unreadable.add(image.toString());
            bar.step(1, "unreadable");
            continue;
          }
          Detections d = m.predict(rgb);
          long id = annotations == null ? position : imageId(ids, image);
          fileNames.put(id, image.getFileName().toString());
          results.addAll(CocoResults.from(id, mapped(d, labels), labels));
          if (overlay) {
            Overlay.write(rgb, d, m.classNames(), output.resolve(stem(image) + ".png"));
          }
          bar.step(1, d.instances().size() + " found");
        }
      }
      Path json = output.resolve("predictions.json");
      CocoWriter.writeResults(results, fileNames, json);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "%d images, %d detections: %s%n", images.size() - unreadable.size(), results.size(),
          json.toAbsolutePath());
      if (overlay) {
        out.println("overlays: " + output.toAbsolutePath());
      }
      if (!unreadable.isEmpty()) {
        spec.commandLine().getErr().printf("lowlight: error: %d of %d images could not be read and have no"
            + " predictions: %s%n", unreadable.size(), images.size(), String.join(", ", unreadable));
        return 1;
      }
    }
    return 0;
  }

  private ImageModel open() {
    return open(model, device, scoreThreshold);
  }

  /** An exported model on ONNX Runtime ({@code .onnx} file) or a model directory run eagerly. */
  static ImageModel open(Path model, String device, float scoreThreshold) {
    if (!Files.exists(model)) {
      throw new UserError(model + ": no such model file or directory");
    }
    PredictorOptions options;
    try {
      options = PredictorOptions.builder().optDevice(device).optScoreThreshold(scoreThreshold).build();
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    if (Files.isDirectory(model)) {
      return EagerModels.open(model, options.scoreThreshold());
    }
    LowlightPredictor p;
    try {
      p = LowlightPredictor.open(model, options);
    } catch (ModelLoadException e) {
      throw new UserError(e.getMessage());
    }
    LOG.info("ONNX Runtime on {}", p.provider());
    return new ImageModel() {
      @Override
      public List<String> classNames() {
        return p.info().classNames();
      }

      @Override
      public Detections predict(RgbImage image) {
        return p.predict(image);
      }

      @Override
      public void close() {
        p.close();
      }
    };
  }

  private CocoDataset readAnnotations() throws IOException {
    try {
      return CocoReader.readDataset(annotations);
    } catch (CocoFormatException e) {
      throw new UserError(e.getMessage());
    }
  }

  private CategoryMapping mapping(List<String> classes, CocoDataset ds) throws IOException {
    try {
      return categoryMap != null ? CategoryMapping.fromFile(categoryMap, classes, ds.categories())
          : CategoryMapping.byName(classes, ds.categories());
    } catch (IllegalArgumentException e) {
      throw new UserError(annotations + ": " + e.getMessage());
    }
  }

  /** Keeps the detections whose label the map covers (an explicit map may leave classes out). */
  static Detections mapped(Detections d, Map<Integer, Long> labels) {
    if (labels == null) {
      return d;
    }
    List<Instance> kept = d.instances().stream().filter(i -> labels.containsKey(i.label())).toList();
    return new Detections(d.imageHeight(), d.imageWidth(), kept);
  }

  private long imageId(Map<String, Long> ids, Path image) {
    Long id = ids.get(image.getFileName().toString());
    if (id == null) {
      throw new UserError(image + ": not an image of " + annotations + " (matched by file name)");
    }
    return id;
  }

  private static List<Path> expand(List<Path> inputs) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (var s = Files.list(p)) {
          s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp)")).sorted()
              .forEach(out::add);
        }
      } else if (Files.isRegularFile(p)) {
        out.add(p);
      } else {
        throw new UserError(p + ": no such image file or directory");
      }
    }
    if (out.isEmpty()) {
      throw new UserError("no images in " + inputs);
    }
    return out;
  }

  private static String stem(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
