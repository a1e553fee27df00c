package dev.lowlight.cli;

import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.registry.PluginException;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoFormatException;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.image.PairGrid;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight synth}: the low-light twin of a COCO dataset. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = {"Make the low-light twin of a COCO dataset: same annotations, darkened noisy images,",
        "and OUTPUT/synthesis.json with every image's drawn parameters. Runs on all cores, resumes",
        "where a killed run stopped, and never leaves a half-written image."})
final class SynthCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(SynthCommand.class);

  @Option(names = "--ann", required = true, description = "COCO annotation file of the clean dataset.")
  Path annotations;

  @Option(names = "--images", required = true, description = "Directory of the clean images.")
  Path images;

  @Option(names = "--output", required = true, description = "Directory of the low-light twin.")
  Path output;

  @Option(names = "--preset", defaultValue = "maet",
      description = "Synthesizer plugin: maet, maet-release, lis, lis-isp, gamma-gaussian, or another on the classpath (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--option", description = "Override a synthesizer option, KEY=VALUE (repeatable); see `lowlight plugins --kind SYNTHESIZER`.")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--seed", defaultValue = "1", description = "Dataset seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", description = "Worker threads (default: all cores).")
  Integer threads;

  @Option(names = "--pairs", description = "Also write a PNG of the first 4 clean/dark pairs side by side.")
  Path pairs;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(annotations)) {
      throw new UserError(annotations + ": no such annotation file");
    }
    if (!Files.isDirectory(images)) {
      throw new UserError(images + ": no such image directory");
    }
    SynthesizerProvider<?> provider;
    try {
      provider = PluginRegistry.load().synthesizer(preset);
    } catch (PluginException e) {
      throw new UserError("--preset: " + e.getMessage());
    }
    LowLightTwin.Synthesis synthesis = synthesis(provider);
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    LOG.info("synthesizer {} {} with {}; {} threads", provider.name(), provider.version(), synthesis.options(), n);
    int total;
    try {
      total = CocoReader.readDataset(annotations).images().size();
    } catch (CocoFormatException e) {
      throw new UserError(e.getMessage());
    }
    LowLightTwin.Summary summary;
    try (ProgressBar bar = new ProgressBar("synth", total)) {
      summary = LowLightTwin.make(annotations, images, output, synthesis, seed, n, (done, all) -> bar.step(1, ""));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%d images written, %d already done, %d skipped as unreadable%n", summary.written(), summary.skipped(),
        summary.failures().size());
    out.println("annotations: " + output.resolve("annotations.json").toAbsolutePath());
    out.println("parameters:  " + summary.sidecar().toAbsolutePath());
    if (pairs != null) {
      writePairs(output);
      out.println("pairs:       " + pairs.toAbsolutePath());
    }
    return summary.failures().isEmpty() ? 0 : 1;
  }

  private LowLightTwin.Synthesis synthesis(SynthesizerProvider<?> provider) {
    try {
      return LowLightTwin.Synthesis.of(provider, options);
    } catch (ConfigException e) {
      throw new UserError(e.getMessage());
    }
  }

  private void writePairs(Path twin) throws IOException {
    CocoDataset ds = CocoReader.readDataset(annotations);
    List<RgbImage> clean = new ArrayList<>();
    List<RgbImage> dark = new ArrayList<>();
    for (var image : ds.images()) {
      Path d = twin.resolve("images").resolve(image.fileName());
      if (clean.size() == 4 || !Files.exists(d)) {
        continue;
      }
      clean.add(ImageFiles.read(images.resolve(image.fileName())));
      dark.add(ImageFiles.read(d));
    }
    PairGrid.write(clean, dark, pairs);
  }
}
