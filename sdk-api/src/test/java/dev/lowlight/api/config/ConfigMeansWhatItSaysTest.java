package dev.lowlight.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.kitproof.SeSmoothProvider;
import dev.lowlight.api.registry.TestProviders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration means what it says or is refused, with the file, the key's path and the value:
 * fractions for integers, out-of-range sizes, empty files, files cut off in the middle of a line,
 * keys without a value; plugin options go through the same checks. Messages carry no parser
 * internals, and written configurations do not depend on the order options were given in.
 */
class ConfigMeansWhatItSaysTest {

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  void aFractionForAnIntegerIsRefusedWithTheValue() throws IOException {
    Path f = write("frac.yaml", "num_classes: 8.5\n");
    assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
        .hasMessage(f + ": num_classes: expected an integer, got 8.5 (a number with a fraction)");
  }

  @Test
  void aNegativeAnchorSizeIsRefused() throws IOException {
    Path f = write("neg.yaml", "rpn:\n  anchor_sizes: [[-32], [64], [128], [256], [512]]\n");
    assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
        .hasMessage(f + ": rpn.anchor_sizes[0][0]: must be in [1, 100000], got -32");
  }

  @Test
  void anEmptyFileIsAnError() throws IOException {
    for (String text : new String[] {"", "\n\n", "# only a comment\n"}) {
      Path f = write("empty.yaml", text);
      assertThatThrownBy(() -> ConfigLoader.load(f)).as("%s", text).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(f + ": the file is empty");
    }
    Path json = write("empty.json", "");
    assertThatThrownBy(() -> ConfigLoader.load(json)).hasMessageStartingWith(json + ": the file is empty");
  }

  @Test
  void aYamlFileCutOffAnywhereInsideALineIsAnError() throws IOException {
    String full = """
        num_classes: 6
        denoise:
          name: weighted-non-local
          stages: [res3, res4]
        solver:
          base_lr: 0.01
          max_iters: 100
        """;
    assertThat(ConfigLoader.load(write("full.yaml", full)).solver().maxIters()).isEqualTo(100);
    for (int n = 1; n < full.length(); n++) {
      String cut = full.substring(0, n);
      if (cut.endsWith("\n")) {
        continue; // a file cut between lines is a shorter valid file: nothing tells them apart
      }
      Path f = write("cut.yaml", cut);
      assertThatThrownBy(() -> ConfigLoader.load(f)).as("cut after %d bytes: [%s]", n, cut)
          .isInstanceOf(ConfigException.class).hasMessageStartingWith(f + ": ");
    }
    Path f = write("cut.yaml", full.substring(0, full.indexOf("max_iters: 100") + "max_iters: 10".length()));
    assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessage(f + ": ends in the middle of line 7 ('max_iters: 10'),"
        + " as a file cut off does; if the file is complete, end it with a newline");
  }

  @Test
  void aKeyWithoutAValueIsAnError() {
    assertThatThrownBy(() -> ConfigLoader.parse("num_classes: 6\ndenoise:\n  name:\n", true))
        .hasMessageStartingWith("denoise.name: has no value");
    assertThatThrownBy(() -> ConfigLoader.parse("num_classes: 6\ndenoise:\n", true))
        .hasMessageStartingWith("denoise: has no value");
  }

  @Test
  void aBrokenFileNamesTheLineWithoutParserInternals() throws IOException {
    Path f = write("broken.json", "{\"num_classes\": 6,\n \"solver\": {\"base_lr\": }\n");
    assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(f + ": not valid JSON: ").hasMessageContaining("(line 2, column")
        .hasMessageNotContaining("Source").hasMessageNotContaining("REDACTED").hasMessageNotContaining("StreamRead");
  }

  @Test
  void pluginOptionsGoThroughTheSameChecks() {
    TestProviders.PassThrough pass = new TestProviders.PassThrough();
    assertThatThrownBy(() -> ConfigLoader.bind(pass, Map.of("kernel", 2.5), "denoise.options"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("denoise.options.kernel: expected an integer, got 2.5 (a number with a fraction)");
    assertThatThrownBy(() -> ConfigLoader.bind(pass, Map.of("kernel", "three"), "denoise.options"))
        .hasMessage("denoise.options.kernel: expected an integer, got 'three'");
    assertThatThrownBy(() -> ConfigLoader.bind(pass, Map.of("kernel", new java.math.BigInteger("99999999999999999999")),
        "denoise.options")).hasMessage("denoise.options.kernel: expected an integer in [-2147483648, 2147483647], got"
            + " 99999999999999999999");
    // a range declared on @Option is enforced without the record's own check
    assertThatThrownBy(() -> ConfigLoader.bind(new SeSmoothProvider(), Map.of("reduction", 9), "denoise.options"))
        .hasMessage("denoise.options.reduction: must be in [1, 8], got 9");
  }

  @Test
  void anOversizedIntegerInAFileShowsTheValueAndNoParserInternals() throws IOException {
    Path f = write("big.yaml", "num_classes: 6\ndenoise:\n  name: pass-through\n  options: {kernel: 99999999999999999999}\n");
    ModelConfig c = ConfigLoader.load(f);
    assertThatThrownBy(() -> ConfigLoader.bind(new TestProviders.PassThrough(), c.denoise().options(),
        "denoise.options")).hasMessage("denoise.options.kernel: expected an integer in [-2147483648, 2147483647], got"
            + " 99999999999999999999");
  }

  @Test
  void writtenOptionsDoNotDependOnTheOrderTheyWereGivenIn() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("mode", "gaussian");
    a.put("scaled", true);
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("scaled", true);
    b.put("mode", "gaussian");
    ModelConfig d = ModelConfig.defaults();
    ModelConfig x = new ModelConfig(d.numClasses(), d.classNames(), d.backbone(),
        new DenoiseConfig("non-local", d.denoise().stages(), a), d.neck(), d.transform(), d.rpn(), d.roiHeads(),
        d.solver());
    ModelConfig y = new ModelConfig(d.numClasses(), d.classNames(), d.backbone(),
        new DenoiseConfig("non-local", d.denoise().stages(), b), d.neck(), d.transform(), d.rpn(), d.roiHeads(),
        d.solver());
    assertThat(ConfigLoader.toYaml(y)).isEqualTo(ConfigLoader.toYaml(x));
    assertThat(ConfigLoader.toJson(y)).isEqualTo(ConfigLoader.toJson(x));
    assertThat(ConfigLoader.toYaml(ConfigLoader.parse(ConfigLoader.toYaml(x), true))).isEqualTo(ConfigLoader.toYaml(x));
  }
}
