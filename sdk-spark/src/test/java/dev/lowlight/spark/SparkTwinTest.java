package dev.lowlight.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.registry.PluginException;
import dev.lowlight.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code SparkTwin} against {@code lowlight synth} itself, on the same 20 scenes. */
class SparkTwinTest {

  private static final Map<String, String> OPTIONS = Map.of("darkness_max", "0.3", "quantisation", "round");

  @TempDir static Path dir;
  static Path clean;
  static Map<String, String> expected;

  @BeforeAll
  static void synthesiseOnOneMachine() {
    clean = dir.resolve("clean");
    assertThat(Main.run("scenes", "--output", clean.toString(), "--count", "20", "--width", "72", "--height", "56"))
        .isZero();
    assertThat(lowlightSynth(clean, dir.resolve("single"))).isZero();
    expected = TestSpark.tree(dir.resolve("single"));
    assertThat(expected).containsKeys("annotations.json", "synthesis.json", "images/000020.png", "synthesis/20.json")
        .hasSize(2 + 2 * 20);
  }

  static int lowlightSynth(Path dataset, Path out) {
    return Main.run("synth", "--ann", dataset.resolve("annotations.json").toString(), "--images",
        dataset.resolve("images").toString(), "--output", out.toString(), "--preset", "maet", "--option",
        "darkness_max=0.3", "--option", "quantisation=round", "--seed", "5");
  }

  static SparkTwin.Request request(Path dataset, Path out, int partitions) {
    return new SparkTwin.Request(dataset.resolve("annotations.json").toString(), dataset.resolve("images").toString(),
        out.toString(), "maet", OPTIONS, 5L, partitions);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7})
  void sameBytesAsLowlightSynthWhateverThePartitions(int partitions) throws Exception {
    Path out = dir.resolve("spark-" + partitions);
    SparkTwin.Summary s = SparkTwin.run(TestSpark.session(), request(clean, out, partitions));
    assertThat(s.images()).isEqualTo(20);
    assertThat(s.written()).isEqualTo(20);
    assertThat(s.failures()).isEmpty();
    assertThat(TestSpark.tree(out)).containsExactlyEntriesOf(expected);
  }

  @Test
  void aTaskThatFailsHalfWayThroughAFileAndIsRetriedLeavesTheUndisturbedOutput() throws Exception {
    Path out = dir.resolve("spark-retried");
    int before = FlakyFormat.INJECTED.get();
    SparkTwin.Summary s = SparkTwin.run(TestSpark.session(), request(clean, out, 3), FlakyFormat.class);
    assertThat(FlakyFormat.INJECTED.get() - before).as("attempts failed on purpose").isEqualTo(1);
    assertThat(s.written()).isEqualTo(20);
    // No half file, no second copy, no attempt folder: what an undisturbed run leaves.
    assertThat(TestSpark.tree(out)).containsExactlyEntriesOf(expected);
    try (var entries = Files.list(out)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("annotations.json",
          "synthesis.json", "images", "synthesis");
    }
  }

  @Test
  void anUnreadableImageIsSkippedNamedAndListedAndTheRestIsWhatLowlightSynthWrites() throws Exception {
    Path broken = dir.resolve("broken");
    copyTree(clean, broken);
    Files.write(broken.resolve("images/000004.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1});
    Path single = dir.resolve("broken-single");
    assertThat(lowlightSynth(broken, single)).isEqualTo(1);

    Path out = dir.resolve("broken-spark");
    SparkTwin.Summary s = SparkTwin.run(TestSpark.session(), request(broken, out, 2));
    assertThat(s.written()).isEqualTo(19);
    assertThat(s.failures()).singleElement().satisfies(f -> {
      assertThat(f.imageId()).isEqualTo(4);
      assertThat(f.fileName()).isEqualTo("000004.png");
      assertThat(f.error()).startsWith("cannot read image " + out.getFileSystem().getPath(broken.toString(),
          "images", "000004.png").toUri().toString().replace("file:///", "file:/"));
    });
    Map<String, String> spark = new TreeMap<>(TestSpark.tree(out));
    assertThat(spark.remove(SparkTwin.FAILURES)).isNotNull();
    JsonNode failures = new ObjectMapper().readTree(out.resolve(SparkTwin.FAILURES).toFile());
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0).get("image_id").asLong()).isEqualTo(4);
    assertThat(failures.get(0).get("error").asText()).contains("000004.png");
    assertThat(spark).containsExactlyEntriesOf(TestSpark.tree(single));
  }

  @Test
  void refusesANonEmptyOutputAndAnUnknownPresetBeforeStarting() throws Exception {
    Path full = Files.createDirectories(dir.resolve("full"));
    Files.writeString(full.resolve("x.txt"), "x");
    assertThatThrownBy(() -> SparkTwin.run(TestSpark.session(), request(clean, full, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("full already exists and is not empty;"
            + " a Spark job writes a new directory");
    SparkTwin.Request night = new SparkTwin.Request(clean.resolve("annotations.json").toString(),
        clean.resolve("images").toString(), dir.resolve("night").toString(), "night", Map.of(), 1L, 0);
    assertThatThrownBy(() -> SparkTwin.run(TestSpark.session(), night)).isInstanceOf(PluginException.class)
        .hasMessageContaining("unknown synthesizer plugin 'night'");
    assertThat(dir.resolve("night")).doesNotExist();
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
  }
}
