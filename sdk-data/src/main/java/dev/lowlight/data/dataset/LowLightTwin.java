package dev.lowlight.data.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.io.AtomicFiles;
import dev.lowlight.api.registry.PluginException;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.image.ImageReadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the low-light twin of a COCO dataset: the same annotations, every image darkened by a
 * {@link LowLightSynthesizer}, and a sidecar {@code synthesis.json} with the synthesizer, its
 * options, the seed and every image's drawn parameters, so any image can be regenerated.
 *
 * <p>Image {@code id} is synthesised with seed {@code mix(seed, id)}: the output does not depend
 * on the number of threads or on the order of work. The job is resumable: an image whose output
 * and parameter file already exist and read back is skipped. Each image and parameter file is
 * written to a temporary file and renamed, so a killed run leaves no half-written file. Images
 * that cannot be read are skipped with one warning each and counted.
 */
public final class LowLightTwin {

  private static final Logger LOG = LoggerFactory.getLogger(LowLightTwin.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Name of the sidecar with per-image parameters. */
  public static final String SIDECAR = "synthesis.json";

  private LowLightTwin() {}

  /**
   * What a run did.
   *
   * @param written images synthesised now
   * @param skipped images already done by an earlier run
   * @param failures one message per image that could not be read or written
   * @param sidecar the parameters file
   */
  public record Summary(int written, int skipped, List<String> failures, Path sidecar) {}

  /**
   * A synthesizer with the facts recorded about it.
   *
   * @param name plugin name
   * @param options the options record it was created with
   * @param synthesizer the synthesizer
   */
  public record Synthesis(String name, Record options, LowLightSynthesizer synthesizer) {

    /**
     * The synthesizer plugin {@code preset} found on the classpath, with {@code options} given as
     * text ({@code key -> value}, as on a command line) over its defaults.
     *
     * @throws PluginException when no synthesizer has that name
     * @throws ConfigException naming the option when one is unknown or invalid
     */
    public static Synthesis create(String preset, Map<String, String> options) {
      return of(PluginRegistry.load().synthesizer(preset), options);
    }

    /**
     * {@code provider}'s synthesizer with {@code options} given as text over its defaults: {@code
     * true}/{@code false} are booleans, numbers are numbers, anything else is a string.
     *
     * @throws ConfigException naming the option ({@code --option.key}) when one is unknown or invalid
     */
    public static <O extends Record> Synthesis of(SynthesizerProvider<O> provider, Map<String, String> options) {
      Map<String, Object> typed = new LinkedHashMap<>();
      options.forEach((k, v) -> typed.put(k, scalar(v)));
      O o = ConfigLoader.bind(provider, typed, "--option");
      return new Synthesis(provider.name(), o, provider.create(o));
    }

    private static Object scalar(String v) {
      if (v.equals("true") || v.equals("false")) {
        return Boolean.parseBoolean(v);
      }
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        try {
          return Double.parseDouble(v);
        } catch (NumberFormatException e2) {
          return v;
        }
      }
    }
  }

  /**
   * One image of the twin as the bytes of its two files.
   *
   * @param image the darkened image, encoded as its file name says (PNG, or JPEG at {@link
   *     ImageFiles#DEFAULT_JPEG_QUALITY})
   * @param parameters the image's parameters file ({@code synthesis/<id>.json}): id, file name,
   *     seed and the synthesizer's drawn parameters
   */
  public record TwinImage(byte[] image, byte[] parameters) {}

  /**
   * Writes the twin of the dataset {@code annotations} + {@code imagesDir} into {@code outDir}
   * ({@code outDir/annotations.json}, {@code outDir/images/}, {@code outDir/synthesis.json}).
   */
  public static Summary make(Path annotations, Path imagesDir, Path outDir, Synthesis synthesis, long seed, int threads,
      ProgressListener progress) throws IOException {
    CocoDataset dataset = CocoReader.readDataset(annotations);
    // the temporary files of a run killed mid-write: this run redoes those images
    dev.lowlight.api.io.AtomicFiles.removeLeftovers(outDir);
    Path outImages = Files.createDirectories(outDir.resolve(SceneDataset.IMAGES));
    Path params = Files.createDirectories(outDir.resolve("synthesis"));
    List<CocoImage> images = dataset.images();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger written = new AtomicInteger();
    AtomicInteger skipped = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
    try {
      pool.submit(() -> images.parallelStream().forEach(image -> {
        Path target = outImages.resolve(image.fileName());
        Path paramFile = params.resolve(image.id() + ".json");
        try {
          if (Files.exists(paramFile) && ImageFiles.isValid(target)) {
            skipped.incrementAndGet();
          } else {
            synthesiseOne(imagesDir.resolve(image.fileName()), target, paramFile, image, synthesis, seed);
            written.incrementAndGet();
          }
        } catch (RuntimeException | IOException e) {
          String msg = imagesDir.resolve(image.fileName()) + " (image id " + image.id() + "): " + e.getMessage();
          LOG.warn("skipping {}", msg);
          failures.add(msg);
        }
        progress.progress(done.incrementAndGet(), images.size());
      })).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while synthesising " + annotations, e);
    } catch (ExecutionException e) {
      throw new IOException("synthesis of " + annotations + " failed: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdown();
    }
    copyAtomically(annotations, outDir.resolve(SceneDataset.ANNOTATIONS));
    Path sidecar = writeSidecar(outDir, params, images, synthesis, seed);
    return new Summary(written.get(), skipped.get(), List.copyOf(failures), sidecar);
  }

  /** The seed image {@code id} is synthesised with. */
  public static long imageSeed(long seed, long imageId) {
    return SceneDataset.mix(seed, imageId);
  }

  /**
   * Synthesises one image of the twin from the bytes of its clean file to the bytes of its two
   * output files, with the seed {@link #imageSeed(long, long) imageSeed(seed, image.id())}. This is
   * all {@link #make} does per image, so any caller (another process, another machine) that gives
   * the same bytes, synthesizer and seed gets the same bytes back.
   *
   * @param clean the clean image file's bytes
   * @param source what the bytes are (a path or URI), named in messages
   * @param image the image's entry in the annotations
   * @param seed the dataset seed
   * @throws dev.lowlight.data.image.ImageReadException naming {@code source} when the bytes are not
   *     a readable image
   */
  public static TwinImage synthesise(byte[] clean, String source, CocoImage image, Synthesis synthesis, long seed)
      throws IOException {
    RgbImage decoded = ImageFiles.decode(clean, source);
    if (decoded.width() != image.width() || decoded.height() != image.height()) {
      LOG.warn("{} is {}x{} but annotations say {}x{}; synthesising the file as it is", source, decoded.width(),
          decoded.height(), image.width(), image.height());
    }
    long imageSeed = imageSeed(seed, image.id());
    LowLightSynthesizer.Result r = synthesis.synthesizer().synthesize(decoded, imageSeed);
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", image.id());
    entry.put("file_name", image.fileName());
    entry.put("seed", imageSeed);
    entry.put("parameters", r.parameters());
    return new TwinImage(ImageFiles.encode(r.image(), image.fileName()), JSON.writeValueAsBytes(entry));
  }

  /**
   * The bytes of {@value #SIDECAR}: the synthesizer, its options, the seed, and the parameters
   * files of the images that were synthesised, in the order given (the annotations' order).
   */
  public static byte[] sidecar(Synthesis synthesis, long seed, List<byte[]> parameterFiles) throws IOException {
    List<Object> entries = new ArrayList<>(parameterFiles.size());
    for (byte[] f : parameterFiles) {
      entries.add(JSON.readValue(f, Map.class));
    }
    Map<String, Object> sidecar = new LinkedHashMap<>();
    sidecar.put("synthesizer", synthesis.name());
    sidecar.put("options", ConfigLoader.optionsMap(synthesis.options())); // snake_case, as in configurations
    sidecar.put("seed", seed);
    sidecar.put("image_seed", "splitmix64(seed * 0x9E3779B97F4A7C15 + image_id)");
    sidecar.put("images", entries);
    return JSON.writeValueAsBytes(sidecar);
  }

  private static void synthesiseOne(Path source, Path target, Path paramFile, CocoImage image, Synthesis synthesis,
      long seed) throws IOException {
    TwinImage twin = synthesise(readBytes(source), source.toString(), image, synthesis, seed);
    Files.createDirectories(target.getParent());
    writeAtomically(target, twin.image());
    writeAtomically(paramFile, twin.parameters());
  }

  private static byte[] readBytes(Path source) {
    try {
      return Files.readAllBytes(source);
    } catch (NoSuchFileException e) {
      throw new ImageReadException(source, "no such file", e);
    } catch (IOException e) {
      throw new ImageReadException(source, e.toString(), e);
    }
  }

  private static Path writeSidecar(Path outDir, Path params, List<CocoImage> images, Synthesis synthesis, long seed)
      throws IOException {
    List<byte[]> parameterFiles = new ArrayList<>();
    for (CocoImage image : images) {
      Path f = params.resolve(image.id() + ".json");
      if (Files.exists(f)) {
        parameterFiles.add(Files.readAllBytes(f));
      }
    }
    Path file = outDir.resolve(SIDECAR);
    writeAtomically(file, sidecar(synthesis, seed, parameterFiles));
    return file;
  }

  private static void copyAtomically(Path from, Path to) throws IOException {
    writeAtomically(to, Files.readAllBytes(from));
  }

  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    AtomicFiles.write(file, bytes);
  }
}
