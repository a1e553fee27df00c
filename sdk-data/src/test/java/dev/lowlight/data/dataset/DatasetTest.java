package dev.lowlight.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.image.ImageReadException;
import dev.lowlight.data.scenes.Scene;
import dev.lowlight.data.scenes.SceneGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {

  @TempDir Path dir;

  private final SceneGenerator generator = SceneGenerator.builder().optWidth(96).optHeight(64).build();

  @Test
  void sceneDatasetMasksAreExactAndBytesRepeat() throws Exception {
    CocoDataset ds = SceneDataset.write(dir.resolve("a"), 4, 11L, generator, ProgressListener.NONE);
    SceneDataset.write(dir.resolve("b"), 4, 11L, generator, ProgressListener.NONE);
    assertThat(Files.readAllBytes(dir.resolve("a/annotations.json")))
        .isEqualTo(Files.readAllBytes(dir.resolve("b/annotations.json")));
    assertThat(Files.readAllBytes(dir.resolve("a/images/000003.png")))
        .isEqualTo(Files.readAllBytes(dir.resolve("b/images/000003.png")));

    CocoDataset read = CocoReader.readDataset(dir.resolve("a/annotations.json"));
    assertThat(read.images()).hasSize(4);
    assertThat(read.annotations()).isNotEmpty().hasSameSizeAs(ds.annotations());
    // The first image's masks decode to exactly the rendered pixels of the scene.
    Scene scene = generator.generate(SceneDataset.mix(11L, 1));
    var first = read.annotations().stream().filter(a -> a.imageId() == 1).toList();
    assertThat(first).hasSameSizeAs(scene.objects());
    for (int k = 0; k < first.size(); k++) {
      CocoAnnotation a = first.get(k);
      byte[] decoded = MaskApi.decode(MaskApi.toRle(a.segmentation(), 64, 96));
      var object = scene.objects().get(k);
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 96; x++) {
          assertThat(decoded[x * 64 + y] != 0).isEqualTo(object.contains(y, x));
        }
      }
      assertThat(a.area()).isEqualTo(object.area());
      assertThat(new double[] {a.bbox().x(), a.bbox().y(), a.bbox().w(), a.bbox().h()})
          .containsExactly(object.bbox()[0], object.bbox()[1], object.bbox()[2], object.bbox()[3]);
    }
  }

  @Test
  void lowLightTwinIsDarkDeterministicAndResumable() throws Exception {
    Path clean = dir.resolve("clean");
    SceneDataset.write(clean, 3, 5L, generator, ProgressListener.NONE);
    @SuppressWarnings("unchecked")
    SynthesizerProvider<Record> maet = (SynthesizerProvider<Record>) PluginRegistry.load().synthesizer("maet");
    var synthesis = new LowLightTwin.Synthesis("maet", maet.defaultOptions(), maet.create(maet.defaultOptions()));

    LowLightTwin.Summary first = LowLightTwin.make(clean.resolve("annotations.json"), clean.resolve("images"),
        dir.resolve("dark"), synthesis, 9L, 2, ProgressListener.NONE);
    assertThat(first.written()).isEqualTo(3);
    assertThat(first.failures()).isEmpty();
    assertThat(Files.readString(dir.resolve("dark/annotations.json")))
        .isEqualTo(Files.readString(clean.resolve("annotations.json")));
    RgbImage c = ImageFiles.read(clean.resolve("images/000001.png"));
    RgbImage d = ImageFiles.read(dir.resolve("dark/images/000001.png"));
    assertThat(mean(d)).isLessThan(mean(c));

    JsonNode sidecar = new ObjectMapper().readTree(first.sidecar().toFile());
    assertThat(sidecar.get("synthesizer").asText()).isEqualTo("maet");
    assertThat(sidecar.get("images")).hasSize(3);
    assertThat(sidecar.get("images").get(0).get("parameters").size()).isPositive();

    // Regenerate one image from the recorded seed: same bytes.
    long seed = sidecar.get("images").get(0).get("seed").asLong();
    RgbImage again = synthesis.synthesizer().synthesize(c, seed).image();
    ImageFiles.write(again, dir.resolve("again.png"));
    assertThat(Files.readAllBytes(dir.resolve("again.png"))).isEqualTo(Files.readAllBytes(dir.resolve("dark/images/000001.png")));

    // A killed run: one image lost its parameter file, another is truncated, and the temporary files
    // of writes it did not finish are still there. Only those images are redone, the leftovers go.
    Files.delete(dir.resolve("dark/synthesis/2.json"));
    Files.write(dir.resolve("dark/images/000003.png"), new byte[] {1, 2, 3});
    Path leftover = Files.write(dir.resolve("dark/images/.000002.png." + java.util.UUID.randomUUID() + ".tmp"),
        new byte[] {9});
    Path leftoverSidecar = Files.write(dir.resolve("dark/.synthesis.json." + java.util.UUID.randomUUID() + ".tmp"),
        new byte[] {9});
    java.nio.file.attribute.FileTime beforeThisProcess = java.nio.file.attribute.FileTime.fromMillis(
        java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime() - 60_000);
    Files.setLastModifiedTime(leftover, beforeThisProcess);
    Files.setLastModifiedTime(leftoverSidecar, beforeThisProcess);
    Path inProgress = Files.write(dir.resolve("dark/images/.000001.png." + java.util.UUID.randomUUID() + ".tmp"),
        new byte[] {9});
    LowLightTwin.Summary second = LowLightTwin.make(clean.resolve("annotations.json"), clean.resolve("images"),
        dir.resolve("dark"), synthesis, 9L, 1, ProgressListener.NONE);
    assertThat(second.written()).isEqualTo(2);
    assertThat(second.skipped()).isEqualTo(1);
    assertThat(leftover).doesNotExist();
    assertThat(leftoverSidecar).doesNotExist();
    assertThat(inProgress).as("a file newer than this process may be another writer's").exists();
    Files.delete(inProgress);
    try (var files = Files.list(dir.resolve("dark/images"))) {
      assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.endsWith(".png"));
    }
  }

  @Test
  void bytesToBytesSynthesisGivesTheFilesOfTheTwin() throws Exception {
    Path clean = dir.resolve("clean");
    SceneDataset.write(clean, 2, 5L, generator, ProgressListener.NONE);
    var synthesis = LowLightTwin.Synthesis.create("maet", Map.of("darkness_max", "0.3", "quantisation", "round"));
    assertThat(synthesis.options().toString()).contains("darknessMax=0.3", "quantisation=round");
    LowLightTwin.make(clean.resolve("annotations.json"), clean.resolve("images"), dir.resolve("dark"), synthesis, 4L,
        1, ProgressListener.NONE);

    var images = CocoReader.readDataset(clean.resolve("annotations.json")).images();
    List<byte[]> parameters = new ArrayList<>();
    for (var image : images) {
      byte[] cleanBytes = Files.readAllBytes(clean.resolve("images").resolve(image.fileName()));
      LowLightTwin.TwinImage twin = LowLightTwin.synthesise(cleanBytes, image.fileName(), image, synthesis, 4L);
      assertThat(twin.image()).isEqualTo(Files.readAllBytes(dir.resolve("dark/images").resolve(image.fileName())));
      assertThat(twin.parameters()).isEqualTo(Files.readAllBytes(dir.resolve("dark/synthesis/" + image.id() + ".json")));
      parameters.add(twin.parameters());
    }
    assertThat(LowLightTwin.sidecar(synthesis, 4L, parameters))
        .isEqualTo(Files.readAllBytes(dir.resolve("dark").resolve(LowLightTwin.SIDECAR)));
    assertThatThrownBy(() -> LowLightTwin.synthesise(new byte[] {1, 2}, "s3://bucket/x.png", images.get(0), synthesis,
        4L)).isInstanceOf(ImageReadException.class).hasMessageStartingWith(
            "cannot read image s3://bucket/x.png: ");
  }

  @Test
  void unreadableImageIsSkippedAndCounted() throws Exception {
    Path clean = dir.resolve("clean");
    SceneDataset.write(clean, 2, 5L, generator, ProgressListener.NONE);
    Files.write(clean.resolve("images/000002.png"), new byte[] {0, 1, 2});
    var maet = PluginRegistry.load().synthesizer("gamma-gaussian");
    @SuppressWarnings("unchecked")
    SynthesizerProvider<Record> p = (SynthesizerProvider<Record>) maet;
    LowLightTwin.Summary s = LowLightTwin.make(clean.resolve("annotations.json"), clean.resolve("images"),
        dir.resolve("dark"), new LowLightTwin.Synthesis("gamma-gaussian", p.defaultOptions(), p.create(p.defaultOptions())),
        1L, 2, ProgressListener.NONE);
    assertThat(s.written()).isEqualTo(1);
    assertThat(s.failures()).singleElement().asString().contains("000002.png", "image id 2");
  }

  private static double mean(RgbImage image) {
    double s = 0;
    for (float v : image.pixels()) {
      s += v;
    }
    return s / image.pixels().length;
  }
}
