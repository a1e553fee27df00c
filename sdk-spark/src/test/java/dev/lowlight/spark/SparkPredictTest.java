package dev.lowlight.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.cli.Main;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.runtime.ModelLoadException;
import dev.lowlight.train.ModelConfigs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code SparkPredict} against {@code lowlight predict} itself, with the demo's small Mask R-CNN exported. */
class SparkPredictTest {

  @TempDir static Path dir;
  static Path model;
  static Path images;
  static Path single;

  @BeforeAll
  static void exportAndPredictOnOneMachine() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      // lowlight demo's narrow model, untrained: random weights still detect, and it exports in seconds
      String classes = "num_classes: 4\nclass_names: [disc, ring, star]\nroi_heads: {score_thresh: 0.0}\n";
      MaskRcnn net = MaskRcnn.builder().setConfig(ConfigLoader.parse(List.of(ModelConfigs.DEMO, classes), true)).build()
          .initialize(m);
      ModelDirectory.save(net, dir.resolve("model"));
    }
    model = dir.resolve("model.onnx");
    assertThat(Main.run("export", "--model", dir.resolve("model").toString(), "--output", model.toString())).isZero();
    assertThat(Main.run("scenes", "--output", dir.resolve("data").toString(), "--count", "9", "--width", "80",
        "--height", "64")).isZero();
    images = dir.resolve("data/images");
    single = dir.resolve("single");
    assertThat(Main.run("predict", "--model", model.toString(), "--input", images.toString(), "--output",
        single.toString())).isZero();
  }

  static SparkPredict.Request request(Path imageDir, Path out, int partitions) {
    return new SparkPredict.Request(model.toString(), imageDir.toString(), out.toString(), PredictSettings.defaults(1),
        partitions, true, true);
  }

  @Test
  void predictionsEqualLowlightPredictAndParquetHasARowPerImage() throws Exception {
    byte[] expected = Files.readAllBytes(single.resolve("predictions.json"));
    JsonNode results = new ObjectMapper().readTree(expected);
    assertThat(results.size()).as("the random model detects something").isGreaterThan(9);

    Path out = dir.resolve("spark");
    SparkPredict.Summary s = SparkPredict.run(TestSpark.session(), request(images, out, 4));
    assertThat(s.images()).isEqualTo(9);
    assertThat(s.failures()).isEmpty();
    assertThat(s.detections()).isEqualTo(results.size());
    assertThat(Files.readAllBytes(out.resolve(SparkPredict.PREDICTIONS_JSON))).isEqualTo(expected);
    assertThat(out.resolve(SparkPredict.FAILURES)).doesNotExist();

    Dataset<Row> rows = TestSpark.session().read().parquet(out.resolve(SparkPredict.PREDICTIONS_PARQUET).toString());
    assertThat(rows.schema()).isEqualTo(SparkPredict.SCHEMA.asNullable());
    List<Row> first = rows.where("image_id = 1").collectAsList();
    assertThat(first).singleElement().satisfies(r -> {
      assertThat(r.<String>getAs("file_name")).isEqualTo("000001.png");
      assertThat(r.<Integer>getAs("height")).isEqualTo(64);
      assertThat(r.<Object>getAs("error")).isNull();
    });
    long inJson = 0;
    for (JsonNode d : results) {
      inJson += d.get("image_id").asLong() == 1 ? 1 : 0;
    }
    Row one = first.get(0);
    assertThat(one.getList(one.fieldIndex("detections"))).hasSize((int) inJson);
    assertThat(rows.selectExpr("sum(size(detections))").first().getLong(0)).isEqualTo(results.size());
  }

  @Test
  void aCorruptImageIsOneFailedRowTheJobCompletesAndTheCommandExitsNonZero() throws Exception {
    Path mixed = Files.createDirectories(dir.resolve("mixed"));
    try (var files = Files.list(images)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, mixed.resolve(f.getFileName()));
      }
    }
    // Named to sort last, so the other images keep lowlight predict's ids.
    Files.write(mixed.resolve("zz-corrupt.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0, 1, 2});

    Path out = dir.resolve("mixed-out");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      exit = dev.lowlight.spark.cli.Main.run("predict", "--model", model.toString(), "--images", mixed.toString(),
          "--output", out.toString(), "--partitions", "3");
    } finally {
      System.setOut(saved);
    }
    assertThat(exit).isEqualTo(1);
    assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("10 images", "1 failed");
    assertThat(TestSpark.session().sparkContext().isStopped()).as("the command used the running session").isFalse();

    JsonNode failures = new ObjectMapper().readTree(out.resolve(SparkPredict.FAILURES).toFile());
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0).get("image_id").asLong()).isEqualTo(10);
    assertThat(failures.get(0).get("file_name").asText()).isEqualTo("zz-corrupt.jpg");
    assertThat(failures.get(0).get("error").asText()).startsWith("cannot read image file:").contains("zz-corrupt.jpg");
    assertThat(Files.readAllBytes(out.resolve(SparkPredict.PREDICTIONS_JSON)))
        .isEqualTo(Files.readAllBytes(single.resolve("predictions.json")));
    Dataset<Row> failed = TestSpark.session().read().parquet(out.resolve(SparkPredict.PREDICTIONS_PARQUET).toString())
        .where("error is not null");
    assertThat(failed.count()).isEqualTo(1);
    assertThat(failed.first().<String>getAs("file_name")).isEqualTo("zz-corrupt.jpg");
  }

  @Test
  void aBadModelFailsOnTheDriverNamingTheFile() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.onnx"), "not a model");
    SparkPredict.Request r = new SparkPredict.Request(bad.toString(), images.toString(), dir.resolve("bad-out").toString(),
        PredictSettings.defaults(1), 0, true, false);
    assertThatThrownBy(() -> SparkPredict.run(TestSpark.session(), r)).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("bad.onnx").hasMessageContaining("not a valid ONNX model");
    assertThat(dir.resolve("bad-out")).doesNotExist();
  }
}
