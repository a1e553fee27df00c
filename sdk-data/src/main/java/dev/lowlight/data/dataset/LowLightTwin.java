package dev.lowlight.data.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.io.AtomicFiles;
import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.image.ImageFiles;
import java.io.IOException;
import java.nio.file.Files;
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
  public record Synthesis(String name, Record options, LowLightSynthesizer synthesizer) {}

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

  private static void synthesiseOne(Path source, Path target, Path paramFile, CocoImage image, Synthesis synthesis,
      long seed) throws IOException {
    RgbImage clean = ImageFiles.read(source);
    if (clean.width() != image.width() || clean.height() != image.height()) {
      LOG.warn("{} is {}x{} but annotations say {}x{}; synthesising the file as it is", source, clean.width(),
          clean.height(), image.width(), image.height());
    }
    long imageSeed = imageSeed(seed, image.id());
    LowLightSynthesizer.Result r = synthesis.synthesizer().synthesize(clean, imageSeed);
    Files.createDirectories(target.getParent());
    ImageFiles.write(r.image(), target);
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", image.id());
    entry.put("file_name", image.fileName());
    entry.put("seed", imageSeed);
    entry.put("parameters", r.parameters());
    writeAtomically(paramFile, JSON.writeValueAsBytes(entry));
  }

  private static Path writeSidecar(Path outDir, Path params, List<CocoImage> images, Synthesis synthesis, long seed)
      throws IOException {
    List<Object> entries = new ArrayList<>();
    for (CocoImage image : images) {
      Path f = params.resolve(image.id() + ".json");
      if (Files.exists(f)) {
        entries.add(JSON.readValue(f.toFile(), Map.class));
      }
    }
    Map<String, Object> sidecar = new LinkedHashMap<>();
    sidecar.put("synthesizer", synthesis.name());
    sidecar.put("options", ConfigLoader.optionsMap(synthesis.options())); // snake_case, as in configurations
    sidecar.put("seed", seed);
    sidecar.put("image_seed", "splitmix64(seed * 0x9E3779B97F4A7C15 + image_id)");
    sidecar.put("images", entries);
    Path file = outDir.resolve(SIDECAR);
    writeAtomically(file, JSON.writeValueAsBytes(sidecar));
    return file;
  }

  private static void copyAtomically(Path from, Path to) throws IOException {
    writeAtomically(to, Files.readAllBytes(from));
  }

  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    AtomicFiles.write(file, bytes);
  }
}
