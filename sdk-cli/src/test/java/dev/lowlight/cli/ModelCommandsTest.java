package dev.lowlight.cli;

import static dev.lowlight.cli.CliTest.lowlight;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest {

  static final String SMALL = """
      num_classes: 4
      class_names: [disc, ring, star]
      backbone: {name: resnet18}
      denoise: {name: weighted-non-local, stages: [res5]}
      neck: {name: fpn, options: {out_channels: 32}}
      transform: {min_size: 96, max_size: 128}
      roi_heads:
        score_thresh: 0.0
        box_head: {name: two-mlp, options: {representation_size: 64}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [16, 16], dim_reduced: 16}}
      """;

  @TempDir static Path dir;

  @BeforeAll
  static void saveAModel() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(SMALL, true)).build().initialize(m);
      ModelDirectory.save(model, dir.resolve("model"));
    }
    lowlight("scenes", "--output", dir.resolve("data").toString(), "--count", "2", "--width", "80", "--height", "64");
  }

  @Test
  void predictEagerlyWritesCocoResultsWithFileNamesAndOverlays() throws Exception {
    CliTest.Run r = lowlight("predict", "--model", dir.resolve("model").toString(), "--input",
        dir.resolve("data/images").toString(), "--output", dir.resolve("out").toString(), "--overlay");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode results = new ObjectMapper().readTree(dir.resolve("out/predictions.json").toFile());
    assertThat(results.isArray()).isTrue();
    for (JsonNode d : results) {
      assertThat(d.get("image_id").asLong()).isBetween(1L, 2L);
      assertThat(d.get("file_name").asText()).matches("00000[12]\\.png");
      assertThat(d.get("segmentation").get("counts").isTextual()).isTrue();
    }
    assertThat(dir.resolve("out/000001.png")).isNotEmptyFile();
  }

  /** --score-threshold holds for model directories as for ONNX files (it was ignored eagerly). */
  @Test
  void scoreThresholdDropsEagerDetectionsBelowIt() throws Exception {
    CliTest.Run all = lowlight("predict", "--model", dir.resolve("model").toString(), "--input",
        dir.resolve("data/images").toString(), "--output", dir.resolve("all").toString(), "--score-threshold", "0");
    assertThat(all.exit()).as(all.err()).isZero();
    double[] scores = scores(dir.resolve("all/predictions.json"));
    assertThat(scores).hasSizeGreaterThan(2);
    double median = Arrays.stream(scores).sorted().toArray()[scores.length / 2];
    CliTest.Run some = lowlight("predict", "--model", dir.resolve("model").toString(), "--input",
        dir.resolve("data/images").toString(), "--output", dir.resolve("some").toString(), "--score-threshold",
        Double.toString(median));
    assertThat(some.exit()).as(some.err()).isZero();
    double[] kept = scores(dir.resolve("some/predictions.json"));
    // scores are floats written in their shortest form: compared as floats, as the predictor compares them
    assertThat(kept).hasSize((int) Arrays.stream(scores).filter(v -> (float) v >= (float) median).count())
        .hasSizeLessThan(scores.length);
    for (double v : kept) {
      assertThat((float) v).isGreaterThanOrEqualTo((float) median);
    }
    CliTest.Run bad = lowlight("predict", "--model", dir.resolve("model").toString(), "--input",
        dir.resolve("data/images").toString(), "--output", dir.resolve("bad").toString(), "--score-threshold", "1.5");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("scoreThreshold must be in [0, 1], got 1.5");
  }

  private static double[] scores(Path predictions) throws Exception {
    JsonNode results = new ObjectMapper().readTree(predictions.toFile());
    double[] out = new double[results.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = results.get(i).get("score").asDouble();
    }
    return out;
  }

  @Test
  void predictOnADatasetWhoseCategoriesDifferFailsListingBoth() {
    CliTest.Run r = lowlight("predict", "--model", dir.resolve("model").toString(), "--input",
        dir.resolve("data/images/000001.png").toString(), "--output", dir.resolve("out2").toString(), "--ann",
        dir.resolve("data/annotations.json").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("not in the model:", "Model classes: [disc, ring, star]", "--category-map");
  }

  @Test
  void exportThenPredictWithOnnxRuntime() throws Exception {
    Path onnx = dir.resolve("model.onnx");
    CliTest.Run e = lowlight("export", "--model", dir.resolve("model").toString(), "--output", onnx.toString());
    assertThat(e.exit()).as(e.err()).isZero();
    assertThat(e.out()).contains("batch norms folded");
    CliTest.Run r = lowlight("predict", "--model", onnx.toString(), "--input", dir.resolve("data/images").toString(),
        "--output", dir.resolve("onnx-out").toString(), "--overlay");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode results = new ObjectMapper().readTree(dir.resolve("onnx-out/predictions.json").toFile());
    for (JsonNode d : results) {
      assertThat(d.get("category_id").asLong()).isBetween(1L, 3L);
      assertThat(d.get("bbox")).hasSize(4);
    }
    assertThat(dir.resolve("onnx-out/000002.png")).isNotEmptyFile();
    CliTest.Run bad = lowlight("predict", "--model", dir.resolve("model/config.yaml").toString(), "--input",
        dir.resolve("data/images").toString(), "--output", dir.resolve("bad-out").toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("cannot load model").contains("config.yaml");
  }

  @Test
  void evalWithAModelPredictsThenEvaluates() throws Exception {
    Path map = dir.resolve("map.json");
    Files.writeString(map, "{\"disc\": \"disc\", \"ring\": \"ring\", \"star\": \"star\"}");
    CliTest.Run r = lowlight("eval", "--model", dir.resolve("model").toString(), "--ann",
        dir.resolve("data/annotations.json").toString(), "--images", dir.resolve("data/images").toString(),
        "--category-map", map.toString(), "--json", dir.resolve("m.json").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("IoU type: bbox", "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]");
    assertThat(new ObjectMapper().readTree(dir.resolve("m.json").toFile()).get("bbox").has("AP")).isTrue();
    CliTest.Run both = lowlight("eval", "--model", dir.resolve("model").toString(), "--dt", "x.json", "--ann", "y.json");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("either --dt");
  }

  @Test
  void inspectShowsPluginsParameterCountsAndDenoiserWeight() {
    CliTest.Run r = lowlight("inspect", "--model", dir.resolve("model").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("resnet18", "weighted-non-local", "backbone.denoise", "roi_heads")
        .contains("backbone.denoise.res5.w = 0.000000");
  }

  @Test
  void missingModelAndBrokenCheckpointGiveOneLineErrors() throws Exception {
    CliTest.Run r = lowlight("predict", "--model", dir.resolve("nope").toString(), "--input", "x.png", "--output",
        dir.resolve("o").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("nope: no such model");
    Path bad = dir.resolve("bad.pth");
    Files.write(bad, new byte[] {0x50, 0x4b, 3, 4, 1, 2});
    CliTest.Run i = lowlight("import", "--torchvision", bad.toString(), "--output", dir.resolve("imp").toString());
    assertThat(i.exit()).isEqualTo(2);
    assertThat(i.err()).startsWith("lowlight: error: ").contains("bad.pth").doesNotContain("\tat ");
  }
}
