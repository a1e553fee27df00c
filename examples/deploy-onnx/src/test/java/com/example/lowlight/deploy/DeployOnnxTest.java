package com.example.lowlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.CocoWriter;
import dev.lowlight.runtime.ModelLoadException;
import dev.lowlight.runtime.PredictorOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service end to end on a contract-shaped model whose answers are computed here by hand. */
class DeployOnnxTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IMAGES = 16;
  /** ONNX Runtime's float average over up to 20000 pixels against the exact mean. */
  private static final double SCORE_TOLERANCE = 1e-4;

  @TempDir static Path dir;
  static Path model;
  static Path imageDir;
  /** Per image (id 1..n, sorted file order): width, height, r, g, b. */
  static final List<int[]> SPECS = new ArrayList<>();

  @BeforeAll
  static void modelAndImages() throws IOException {
    model = ContractModel.write(dir.resolve("model.onnx"));
    imageDir = Files.createDirectories(dir.resolve("images"));
    Random rnd = new Random(7);
    for (int i = 1; i <= IMAGES; i++) {
      int w = 32 + rnd.nextInt(130);
      int h = 24 + rnd.nextInt(100);
      int[] rgb = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
      rgb[i % 3] = i % 4 == 0 ? 0 : rgb[i % 3]; // some candidates vanish
      if (i == 5) {
        rgb = new int[] {0, 0, 0}; // an image with no detection at all
      }
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          img.setRGB(x, y, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
        }
      }
      ImageIO.write(img, "png", imageDir.resolve(String.format("night-%03d.png", i)).toFile());
      SPECS.add(new int[] {w, h, rgb[0], rgb[1], rgb[2]});
    }
  }

  @Test
  void resultsAreTheModelsAnswersWhateverTheThreadCount() {
    List<PredictionService.Request> requests = requests();
    List<CocoResult> one;
    try (PredictionService service = new PredictionService(model, 1, PredictorOptions.defaults(), null)) {
      one = service.predict(requests);
    }
    List<CocoResult> four;
    try (PredictionService service = new PredictionService(model, 4,
        PredictorOptions.builder().optIntraOpThreads(1).build(), null)) {
      // Twice through the same pool: the session is reused by every worker.
      four = service.predict(requests);
      assertThat(service.predict(requests)).isEqualTo(four);
    }
    assertThat(four).isEqualTo(one);

    List<CocoResult> expected = expected(null);
    assertThat(one).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      CocoResult e = expected.get(i);
      CocoResult a = one.get(i);
      assertThat(a.imageId()).isEqualTo(e.imageId());
      assertThat(a.categoryId()).as("result %d", i).isEqualTo(e.categoryId());
      assertThat(a.score()).isCloseTo(e.score(), within(SCORE_TOLERANCE));
      assertThat(new double[] {a.bbox().x(), a.bbox().y(), a.bbox().w(), a.bbox().h()})
          .containsExactly(new double[] {e.bbox().x(), e.bbox().y(), e.bbox().w(), e.bbox().h()}, within(1e-3));
    }
    assertThat(one).noneMatch(r -> r.imageId() == 5);
  }

  @Test
  void mainWritesCocoResultsJson() throws IOException {
    Path out = dir.resolve("results.json");
    DeployOnnx.main(new String[] {"--model", model.toString(), "--output", out.toString(), "--threads", "4",
        imageDir.toString()});
    JsonNode results = JSON.readTree(out.toFile());
    List<CocoResult> expected = expected(null);
    assertThat(results.isArray()).isTrue();
    assertThat(results.size()).isEqualTo(expected.size());
    for (int i = 0; i < results.size(); i++) {
      JsonNode r = results.get(i);
      assertThat(r.get("image_id").asLong()).isEqualTo(expected.get(i).imageId());
      assertThat(r.get("category_id").asLong()).isEqualTo(expected.get(i).categoryId());
      assertThat(r.get("score").asDouble()).isCloseTo(expected.get(i).score(), within(SCORE_TOLERANCE));
      assertThat(r.get("bbox").size()).isEqualTo(4);
      int[] spec = SPECS.get((int) expected.get(i).imageId() - 1);
      // Compressed RLE of the pasted mask, at the image's size (height, width).
      assertThat(r.get("segmentation").get("size").get(0).asInt()).isEqualTo(spec[1]);
      assertThat(r.get("segmentation").get("size").get(1).asInt()).isEqualTo(spec[0]);
      assertThat(r.get("segmentation").get("counts").isTextual()).isTrue();
    }
  }

  @Test
  void cocoDatasetModeUsesItsIdsAndCategories() throws IOException {
    List<CocoImage> images = new ArrayList<>();
    for (int i = 1; i <= IMAGES; i++) {
      int[] s = SPECS.get(i - 1);
      images.add(new CocoImage(100 + i, String.format("night-%03d.png", i), s[0], s[1]));
    }
    // Ids out of order in the file: label k is still the k-th category by increasing id.
    List<CocoCategory> cats = List.of(new CocoCategory(30, "car", "vehicle"), new CocoCategory(10, "person", "person"),
        new CocoCategory(20, "bicycle", "vehicle"));
    Path ann = dir.resolve("ann.json");
    CocoWriter.writeDataset(new CocoDataset(Map.of(), images, cats, List.of()), ann);
    Path out = dir.resolve("results-coco.json");
    DeployOnnx.main(new String[] {"--model", model.toString(), "--output", out.toString(), "--ann", ann.toString(),
        "--images", imageDir.toString(), "--threads", "2"});
    JsonNode results = JSON.readTree(out.toFile());
    List<CocoResult> expected = expected(Map.of(1, 10L, 2, 20L, 3, 30L));
    assertThat(results.size()).isEqualTo(expected.size());
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i).get("image_id").asLong()).isEqualTo(expected.get(i).imageId() + 100);
      assertThat(results.get(i).get("category_id").asLong()).isEqualTo(expected.get(i).categoryId());
    }
  }

  @Test
  void missingCorruptTruncatedOrForeignModelsAreNamed() throws IOException {
    Path missing = dir.resolve("nope.onnx");
    assertThatThrownBy(() -> new PredictionService(missing, 2, PredictorOptions.defaults(), null))
        .isInstanceOf(ModelLoadException.class).hasMessage("cannot load model " + missing + ": the file does not exist");

    Path garbage = Files.write(dir.resolve("garbage.onnx"), "this is not a protobuf".getBytes());
    assertThatThrownBy(() -> new PredictionService(garbage, 2, PredictorOptions.defaults(), null))
        .isInstanceOf(ModelLoadException.class).hasMessageStartingWith("cannot load model " + garbage + ": ")
        .hasMessageContaining("not a valid ONNX model");

    byte[] bytes = Files.readAllBytes(model);
    Path truncated = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> new PredictionService(truncated, 2, PredictorOptions.defaults(), null))
        .isInstanceOf(ModelLoadException.class).hasMessageStartingWith("cannot load model " + truncated + ": ");

    assertThatThrownBy(() -> DeployOnnx.main(new String[] {"--output", "x.json", imageDir.toString()}))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--model is required");
  }

  @Test
  void anUnreadableImageIsNamed() throws IOException {
    Path bad = Files.write(dir.resolve("broken.png"), new byte[] {1, 2, 3});
    try (PredictionService service = new PredictionService(model, 2, PredictorOptions.defaults(), null)) {
      List<PredictionService.Request> requests = new ArrayList<>(requests());
      requests.add(new PredictionService.Request(99, bad));
      assertThatThrownBy(() -> service.predict(requests)).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("prediction on " + bad + " failed: ");
    }
  }

  private static List<PredictionService.Request> requests() {
    List<PredictionService.Request> out = new ArrayList<>();
    for (int i = 1; i <= IMAGES; i++) {
      out.add(new PredictionService.Request(i, imageDir.resolve(String.format("night-%03d.png", i))));
    }
    return out;
  }

  /** What the graph computes, after the runtime's threshold (0.05) and sort, per image in id order. */
  private static List<CocoResult> expected(Map<Integer, Long> categories) {
    List<CocoResult> out = new ArrayList<>();
    for (int id = 1; id <= IMAGES; id++) {
      int[] s = SPECS.get(id - 1);
      List<CocoResult> image = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        double score = ContractModel.BASE_SCORES[c] * Math.min(1, 2 * (s[2 + c] / 255f));
        if (score >= PredictorOptions.DEFAULT_SCORE_THRESHOLD) {
          float[] r = ContractModel.REL_BOXES;
          double x1 = r[4 * c] * s[0];
          double y1 = r[4 * c + 1] * s[1];
          double x2 = r[4 * c + 2] * s[0];
          double y2 = r[4 * c + 3] * s[1];
          int label = (int) ContractModel.LABELS[c];
          image.add(new CocoResult(id, categories == null ? label : categories.get(label),
              new dev.lowlight.data.coco.BoxXywh(x1, y1, x2 - x1, y2 - y1), score, null));
        }
      }
      image.sort(Comparator.comparingDouble((CocoResult r) -> -r.score()));
      out.addAll(image);
    }
    return out;
  }

  @Test
  void theSpecsGiveAMixOfDetectionCounts() {
    // Guards the test data: images with 0, 1-2 and 3 detections are all exercised.
    Map<Long, Long> perImage = expected(null).stream().collect(Collectors.groupingBy(CocoResult::imageId,
        Collectors.counting()));
    assertThat(perImage).doesNotContainKey(5L);
    assertThat(perImage.values()).contains(3L).anyMatch(n -> n < 3);
  }
}
