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

/**
 * What the command line keeps and says when an input cannot be trusted: an export whose graph does
 * not compute what the model does is not written, a damaged image among good ones costs only its
 * own predictions, a model whose plugin is missing names its jar, and errors of the user's input
 * come without the stack-trace hint.
 */
class TrustedOutputsTest {

  @TempDir static Path dir;

  @BeforeAll
  static void models() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn forgetful = MaskRcnn.builder().setConfig(ConfigLoader.parse(ModelCommandsTest.SMALL
          .replace("weighted-non-local", "forgetful-gain"), true)).build().initialize(m);
      ModelDirectory.save(forgetful, dir.resolve("forgetful"));
      MaskRcnn good = MaskRcnn.builder().setConfig(ConfigLoader.parse(ModelCommandsTest.SMALL, true)).build()
          .initialize(m);
      ModelDirectory.save(good, dir.resolve("good"));
    }
    assertThat(lowlight("scenes", "--output", dir.resolve("data").toString(), "--count", "3", "--width", "80",
        "--height", "64").exit()).isZero();
  }

  @Test
  void anExportThatDoesNotComputeWhatTheModelDoesIsNotWritten() {
    Path onnx = dir.resolve("forgetful.onnx");
    CliTest.Run r = lowlight("export", "--model", dir.resolve("forgetful").toString(), "--output", onnx.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("lowlight: error: " + dir.resolve("forgetful") + ": the export was not written:"
        + " ONNX Runtime and DJL differ first in block backbone.denoise.res5 (denoise plugin forgetful-gain 0.0.1 from ")
        .contains("(--no-verify writes it anyway)").doesNotContain("--verbose");
    assertThat(onnx).doesNotExist();
    CliTest.Run kept = lowlight("export", "--model", dir.resolve("forgetful").toString(), "--output", onnx.toString(),
        "--no-verify");
    assertThat(kept.exit()).as(kept.err()).isZero();
    assertThat(onnx).isNotEmptyFile();
  }

  @Test
  void aDamagedImageCostsOnlyItsOwnPredictions() throws Exception {
    Path images = dir.resolve("data/images");
    Path damaged = dir.resolve("damaged");
    Files.createDirectories(damaged);
    for (String n : new String[] {"000001.png", "000003.png"}) {
      Files.copy(images.resolve(n), damaged.resolve(n));
    }
    byte[] png = Files.readAllBytes(images.resolve("000002.png"));
    Files.write(damaged.resolve("000002.png"), Arrays.copyOf(png, png.length / 2));
    Path out = dir.resolve("predicted");
    CliTest.Run r = lowlight("predict", "--model", dir.resolve("good").toString(), "--input", damaged.toString(),
        "--output", out.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("lowlight: error: cannot read image " + damaged.resolve("000002.png")
        + ": truncated PNG: ").contains("1 of 3 images could not be read and have no predictions: "
        + damaged.resolve("000002.png")).doesNotContain("--verbose");
    JsonNode results = new ObjectMapper().readTree(out.resolve("predictions.json").toFile());
    assertThat(results.size()).isPositive();
    for (JsonNode d : results) {
      assertThat(d.get("file_name").asText()).isIn("000001.png", "000003.png");
    }
  }

  @Test
  void errorsOfTheUsersInputComeWithoutTheStackTraceHint() throws Exception {
    Path missing = dir.resolve("no-such.yaml");
    CliTest.Run noFile = lowlight("config", "check", missing.toString());
    assertThat(noFile.err()).isEqualTo("lowlight: error: " + missing + ": no such file" + System.lineSeparator());
    Path frac = dir.resolve("frac.yaml");
    Files.writeString(frac, "num_classes: 8.5\n");
    CliTest.Run fraction = lowlight("config", "check", frac.toString());
    assertThat(fraction.exit()).isEqualTo(2);
    assertThat(fraction.err()).isEqualTo("lowlight: error: " + frac + ": num_classes: expected an integer, got 8.5 (a"
        + " number with a fraction)" + System.lineSeparator());
    CliTest.Run noModel = lowlight("predict", "--model", dir.resolve("nothing.onnx").toString(), "--input",
        dir.resolve("data/images").toString(), "--output", dir.resolve("x").toString());
    assertThat(noModel.err()).contains("no such model file or directory").doesNotContain("--verbose");
    Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3, 4, 5});
    CliTest.Run badModel = lowlight("predict", "--model", junk.toString(), "--input",
        dir.resolve("data/images").toString(), "--output", dir.resolve("y").toString());
    assertThat(badModel.err()).contains("cannot load model " + junk).doesNotContain("--verbose");
  }

  @Test
  void inspectShowsWhatAThirdPartyDenoiserReports() {
    CliTest.Run r = lowlight("inspect", "--model", dir.resolve("forgetful").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("backbone.denoise.res5.shift.first = 0.500000");
  }
}
