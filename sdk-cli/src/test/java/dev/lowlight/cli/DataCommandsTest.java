package dev.lowlight.cli;

import static dev.lowlight.cli.CliTest.lowlight;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandsTest {

  @TempDir Path dir;

  @Test
  void scenesThenSynthMakeATwinWithPairsPicture() throws Exception {
    CliTest.Run scenes = lowlight("scenes", "--output", dir.resolve("clean").toString(), "--count", "4",
        "--width", "80", "--height", "60");
    assertThat(scenes.exit()).as(scenes.err()).isZero();
    assertThat(scenes.out()).contains("4 images");

    CliTest.Run synth = lowlight("synth", "--ann", dir.resolve("clean/annotations.json").toString(), "--images",
        dir.resolve("clean/images").toString(), "--output", dir.resolve("dark").toString(), "--preset", "lis",
        "--option", "ratio_min=20", "--pairs", dir.resolve("pairs.png").toString());
    assertThat(synth.exit()).as(synth.err()).isZero();
    assertThat(synth.out()).contains("4 images written");
    assertThat(dir.resolve("pairs.png")).isNotEmptyFile();
    JsonNode sidecar = new ObjectMapper().readTree(dir.resolve("dark/synthesis.json").toFile());
    assertThat(sidecar.get("synthesizer").asText()).isEqualTo("lis");
    assertThat(sidecar.get("options").get("ratio_min").asDouble()).isEqualTo(20.0);

    CliTest.Run again = lowlight("synth", "--ann", dir.resolve("clean/annotations.json").toString(), "--images",
        dir.resolve("clean/images").toString(), "--output", dir.resolve("dark").toString(), "--preset", "lis",
        "--option", "ratio_min=20");
    assertThat(again.out()).contains("0 images written, 4 already done");
  }

  @Test
  void synthRejectsUnknownPresetAndOptionNamingThem() throws Exception {
    lowlight("scenes", "--output", dir.resolve("clean").toString(), "--count", "1", "--width", "40", "--height", "30");
    CliTest.Run preset = lowlight("synth", "--ann", dir.resolve("clean/annotations.json").toString(), "--images",
        dir.resolve("clean/images").toString(), "--output", dir.resolve("dark").toString(), "--preset", "night");
    assertThat(preset.exit()).isEqualTo(2);
    assertThat(preset.err()).contains("unknown synthesizer plugin 'night'; available:", "maet");
    CliTest.Run option = lowlight("synth", "--ann", dir.resolve("clean/annotations.json").toString(), "--images",
        dir.resolve("clean/images").toString(), "--output", dir.resolve("dark").toString(), "--option", "gama_min=2");
    assertThat(option.exit()).isEqualTo(2);
    assertThat(option.err()).contains("--option.gama_min: unknown key");
  }

  @Test
  void evalPrintsTheSummaryAndWritesJson() throws Exception {
    Path gt = dir.resolve("gt.json");
    Path dt = dir.resolve("dt.json");
    Files.writeString(gt, """
        {"images": [{"id": 1, "file_name": "a.png", "width": 100, "height": 80}],
         "categories": [{"id": 1, "name": "disc"}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 40, 30], "area": 1200, "iscrowd": 0}]}
        """);
    Files.writeString(dt, """
        [{"image_id": 1, "category_id": 1, "bbox": [10, 10, 40, 30], "score": 0.9},
         {"image_id": 1, "category_id": 1, "bbox": [60, 50, 20, 20], "score": 0.8}]
        """);
    CliTest.Run r = lowlight("eval", "--gt", gt.toString(), "--dt", dt.toString(), "--json", dir.resolve("m.json").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000")
        .contains("segm skipped");
    JsonNode m = new ObjectMapper().readTree(dir.resolve("m.json").toFile());
    assertThat(m.get("bbox").get("AP").asDouble()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(m.get("bbox").get("APs").asDouble()).isEqualTo(-1.0);
  }

  @Test
  void evalOfABrokenFileNamesIt() throws Exception {
    Path gt = dir.resolve("gt.json");
    Files.writeString(gt, "{\"images\": [");
    Path dt = dir.resolve("dt.json");
    Files.writeString(dt, "[]");
    CliTest.Run r = lowlight("eval", "--gt", gt.toString(), "--dt", dt.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("lowlight: error: " + gt).doesNotContain("\tat ");
  }
}
