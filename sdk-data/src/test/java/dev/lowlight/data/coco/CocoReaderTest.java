package dev.lowlight.data.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoReaderTest {

  static final String IMAGES = "\"images\": [{\"id\": 1, \"width\": 20, \"height\": 10,"
      + " \"file_name\": \"a.png\"}]";
  static final String CATS = "\"categories\": [{\"id\": 3, \"name\": \"cat\","
      + " \"supercategory\": \"animal\"}]";

  static CocoDataset read(String json) throws IOException {
    return CocoReader.readDataset(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "mem.json");
  }

  static String doc(String annotations) {
    return "{" + IMAGES + ", " + CATS + ", \"annotations\": [" + annotations + "]}";
  }

  static String ann(String overrides) {
    return "{\"id\": 7, \"image_id\": 1, \"category_id\": 3, \"bbox\": [1, 2, 3, 4],"
        + " \"area\": 12, \"iscrowd\": 0" + overrides + "}";
  }

  @Test
  void readsAllThreeSegmentationKindsAndSkipsUnknownKeys() throws IOException {
    CocoDataset ds = read("{\"licenses\": [{\"x\": [1, {\"y\": 2}]}], \"info\": {\"year\": 2017},"
        + IMAGES + ", " + CATS + ", \"annotations\": ["
        + ann(", \"segmentation\": [[1, 1, 5, 1, 5, 5]], \"extra\": {\"a\": [1]}") + ", "
        + ann(", \"id\": 8, \"iscrowd\": 1, \"segmentation\": {\"size\": [10, 20],"
            + " \"counts\": [5, 10, 185]}") + ", "
        + ann(", \"id\": 9, \"segmentation\": {\"counts\": \"0X6\", \"size\": [10, 20]}")
        + "]}");
    assertThat(ds.info()).containsEntry("year", 2017);
    assertThat(ds.images()).containsExactly(new CocoImage(1, "a.png", 20, 10));
    assertThat(ds.categories()).containsExactly(new CocoCategory(3, "cat", "animal"));
    assertThat(ds.annotations()).hasSize(3);
    CocoAnnotation a = ds.annotations().get(0);
    assertThat(a.bbox()).isEqualTo(new BoxXywh(1, 2, 3, 4));
    assertThat(a.area()).isEqualTo(12.0);
    assertThat(a.segmentation()).isEqualTo(
        new Segmentation.Polygons(List.of(new double[] {1, 1, 5, 1, 5, 5})));
    assertThat(ds.annotations().get(1).iscrowd()).isTrue();
    assertThat(ds.annotations().get(1).segmentation())
        .isEqualTo(new Segmentation.UncompressedRle(10, 20, new int[] {5, 10, 185}));
    assertThat(ds.annotations().get(2).segmentation())
        .isEqualTo(new Segmentation.CompressedRle(10, 20, "0X6"));
    assertThat(MaskApi.toRle(ds.annotations().get(2).segmentation(), 10, 20).counts())
        .containsExactly(0, 200);
  }

  @Test
  void errorsNameTheFilePathAndProblem() {
    assertError(doc(ann(", \"image_id\": 99")), "mem.json", "annotations[0] (id 7).image_id",
        "image_id 99 does not refer to any image");
    assertError(doc(ann(", \"category_id\": 4")), "annotations[0] (id 7).category_id",
        "category_id 4");
    assertError(doc(ann("") + "," + ann("")), "annotations[1] (id 7)", "duplicate annotation id");
    assertError(doc("{\"id\": 5, \"image_id\": 1, \"category_id\": 3, \"area\": 1}"),
        "annotations[0] (id 5)", "'bbox' is missing");
    assertError(doc(ann(", \"bbox\": [1, 2, 3]")), "annotations[0] (id 7).bbox", "4 numbers");
    assertError(doc(ann(", \"area\": \"big\"")), "annotations[0] (id 7).area",
        "must be a number, got the string \"big\"");
    assertError(doc(ann(", \"iscrowd\": 2")), ".iscrowd", "0 or 1");
    assertError(doc(ann(", \"segmentation\": [[1, 2, 3]]")), ".segmentation[0]",
        "even number");
    assertError(doc(ann(", \"segmentation\": {\"size\": [10, 20], \"counts\": [5, 10]}")),
        ".segmentation.counts", "sum to 15");
    assertError(doc(ann(", \"segmentation\": {\"size\": [10, 20], \"counts\": \"0j2\"}")),
        ".segmentation.counts", "add up to");
    assertError(doc(ann(", \"segmentation\": {\"size\": [20, 10], \"counts\": [200]}")),
        ".segmentation.size", "differs from image 1");
    assertError(doc(ann(", \"segmentation\": {\"size\": [1e9, 1e9], \"counts\": [1]}")),
        ".segmentation.size", "exceeds");
    assertError(doc(ann(", \"segmentation\": {\"size\": [2.5, 4], \"counts\": [1]}")),
        ".segmentation.size[0]", "must be an integer");
    assertError(doc(ann(", \"segmentation\": {\"size\": [1000000000, 1000000000],"
        + " \"counts\": \"0\"}")), ".segmentation.size", "exceeds");
    assertError(doc(ann(", \"id\": 99999999999999999999999")), ".id", "out of range");
    assertError("{" + CATS + "}", "images", "missing");
    assertError("[]", "mem.json", "must be an object, got a list");
    assertError(doc("") + " {}", "unexpected content");
    assertError(doc(ann("")).substring(0, 60), "mem.json", "not valid JSON");
  }

  static void assertError(String json, String... parts) {
    assertThatThrownBy(() -> read(json)).isInstanceOf(CocoFormatException.class)
        .satisfies(e -> assertThat(e.getMessage()).contains(parts));
  }

  @Test
  void datasetRoundTripsThroughTheWriter(@TempDir Path dir) throws IOException {
    CocoDataset ds;
    try (InputStream in = getClass().getResourceAsStream("/coco/eval/crowd/gt.json")) {
      ds = CocoReader.readDataset(in, "crowd/gt.json");
    }
    Path file = dir.resolve("gt.json");
    CocoWriter.writeDataset(ds, file);
    assertThat(CocoReader.readDataset(file)).isEqualTo(ds);
  }

  @Test
  void resultsAreWrittenWithStringCountsAndReadBack(@TempDir Path dir) throws IOException {
    Rle rle = MaskApi.fromPolygon(new double[] {2, 2, 15, 3, 9, 9}, 10, 20);
    List<CocoResult> results = List.of(
        new CocoResult(1, 3, new BoxXywh(2, 2, 13, 7), 0.9,
            new Segmentation.UncompressedRle(10, 20, rle.counts())),
        new CocoResult(1, 3, null, 0.5, new Segmentation.CompressedRle(10, 20, "0X6")),
        CocoResult.ofBox(1, 3, new BoxXywh(0, 0, 1, 1), 0.25));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CocoWriter.writeResults(results, out);
    String json = out.toString(StandardCharsets.UTF_8);
    assertThat(json).contains("\"counts\":\"" + MaskApi.toCompressedString(rle) + "\"")
        .doesNotContain("\"counts\":[");
    Path file = dir.resolve("dt.json");
    Files.writeString(file, json);
    List<CocoResult> back = CocoReader.readResults(file);
    assertThat(back).hasSize(3);
    assertThat(MaskApi.toRle(back.get(0).segmentation(), 10, 20)).isEqualTo(rle);
    assertThat(back.get(1)).isEqualTo(results.get(1));
    assertThat(back.get(2)).isEqualTo(results.get(2));

    assertThatThrownBy(() -> CocoWriter.writeResults(List.of(new CocoResult(1, 3, null, 1,
        new Segmentation.Polygons(List.of(new double[] {1, 1, 2, 2, 3, 1})))),
        new ByteArrayOutputStream())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rasterise");
  }

  @Test
  void resultErrorsNameTheEntry() {
    assertThatThrownBy(() -> CocoReader.readResults(new ByteArrayInputStream(
        "[{\"image_id\": 1, \"category_id\": 2, \"score\": 0.5}]".getBytes(
            StandardCharsets.UTF_8)), "dt.json"))
        .isInstanceOf(CocoFormatException.class)
        .hasMessageContaining("dt.json: [0]: a detection needs a bbox or a segmentation");
    assertThatThrownBy(() -> CocoReader.readResults(new ByteArrayInputStream(
        "[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0,0,1,1]}]".getBytes(
            StandardCharsets.UTF_8)), "dt.json"))
        .isInstanceOf(CocoFormatException.class).hasMessageContaining("'score' is missing");
  }
}
