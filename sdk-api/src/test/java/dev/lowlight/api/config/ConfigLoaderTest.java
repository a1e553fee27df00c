package dev.lowlight.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.registry.TestProviders;
import dev.lowlight.api.spi.PluginKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void emptyFileGivesTorchvisionDefaults() {
    ModelConfig c = ConfigLoader.parse("{}", false);
    assertThat(c).isEqualTo(ModelConfig.defaults());
    assertThat(c.numClasses()).isEqualTo(91);
    assertThat(c.transform().minSize()).isEqualTo(800);
    assertThat(c.transform().maxSize()).isEqualTo(1333);
    assertThat(c.rpn().nmsThresh()).isEqualTo(0.7);
    assertThat(c.roiHeads().detectionsPerImg()).isEqualTo(100);
    assertThat(c.denoise().enabled()).isFalse();
  }

  @Test
  void yamlOverridesMergeOntoDefaults() throws IOException {
    Path f = dir.resolve("m.yaml");
    Files.writeString(f, """
        num_classes: 6
        denoise:
          name: weighted-non-local
          stages: [res4, res5]
          options: {memory_budget_mb: 256}
        rpn:
          nms_thresh: 0.6
        """);
    ModelConfig c = ConfigLoader.load(f);
    assertThat(c.numClasses()).isEqualTo(6);
    assertThat(c.denoise().stages()).containsExactly("res4", "res5");
    assertThat(c.denoise().options()).containsEntry("memory_budget_mb", 256);
    assertThat(c.rpn().nmsThresh()).isEqualTo(0.6);
    assertThat(c.rpn().fgIouThresh()).isEqualTo(0.7);
  }

  @Test
  void aKeyGivenTwiceIsAnErrorNotASilentReplacement() {
    // Two solver blocks used to keep the second whole, dropping the first block's optimizer
    assertThatThrownBy(() -> ConfigLoader.parse("solver: {optimizer: adamw, base_lr: 0.004}\nsolver: {max_iters: 5}\n",
        true)).isInstanceOf(ConfigException.class).hasMessageContaining("solver").hasMessageContaining("Duplicate");
    assertThatThrownBy(() -> ConfigLoader.parse("{\"num_classes\": 3, \"num_classes\": 4}", false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("num_classes");
  }

  @Test
  void laterLayersChangeOnlyTheKeysTheyName() {
    ModelConfig c = ConfigLoader.parse(List.of("solver: {optimizer: adamw, base_lr: 0.004}\nnum_classes: 5\n",
        "solver: {max_iters: 7}\n"), true);
    assertThat(c.solver().optimizer()).isEqualTo("adamw");
    assertThat(c.solver().baseLr()).isEqualTo(0.004);
    assertThat(c.solver().maxIters()).isEqualTo(7);
    assertThat(c.numClasses()).isEqualTo(5);
  }

  @Test
  void roundTripsThroughYamlAndJson() {
    ModelConfig c = ConfigLoader.parse("num_classes: 3\nclass_names: [cat, dog]\n", true);
    assertThat(ConfigLoader.parse(ConfigLoader.toYaml(c), true)).isEqualTo(c);
    assertThat(ConfigLoader.parse(ConfigLoader.toJson(c), false)).isEqualTo(c);
  }

  @Test
  void misspelledKeyIsNamedWithItsPath() throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "denoise:\n  name: weighted-non-local\n  stagez: [res3]\n");
    assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(f + ": denoise.stagez: unknown key; valid keys here: ")
        .hasMessageContaining("stages");
  }

  @Test
  void badListElementIsNamedWithItsIndex() {
    assertThatThrownBy(() -> ConfigLoader.parse("denoise: {name: x, stages: [res3, res4, res4]}", true))
        .isInstanceOf(ConfigException.class)
        .hasMessage("denoise.stages[2]: repeats 'res4'");
  }

  @Test
  void outOfRangeValueSaysWhatIsAllowed() {
    assertThatThrownBy(() -> ConfigLoader.parse("{\"rpn\": {\"nms_thresh\": 1.5}}", false))
        .isInstanceOf(ConfigException.class).hasMessage("rpn.nms_thresh: must be in [0.0, 1.0], got 1.5");
  }

  @Test
  void wrongTypeIsNamed() {
    assertThatThrownBy(() -> ConfigLoader.parse("num_classes: many", true)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("num_classes: expected an integer");
  }

  @Test
  void brokenSyntaxGivesLineAndColumn() {
    assertThatThrownBy(() -> ConfigLoader.parse("{\"num_classes\": }", false)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid JSON").hasMessageContaining("line 1");
  }

  @Test
  void unknownPluginNameIsOneLineListingValidNames() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new TestProviders.PassThrough()).build();
    ModelConfig c = ConfigLoader.parse("denoise: {name: wnbl}", true);
    assertThatThrownBy(() -> PluginResolver.bind(r, PluginKind.DENOISER, "denoise", c.denoise().plugin()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("denoise.name: unknown denoiser plugin 'wnbl'; available: pass-through "
            + "(add the plugin's jar to the classpath, e.g. LOWLIGHT_CLASSPATH=plugin.jar, to use another)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void pluginOptionsBindToTypedRecordWithDefaults() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new TestProviders.PassThrough()).build();
    BoundPlugin b = PluginResolver.bind(r, PluginKind.DENOISER, "denoise",
        new PluginRef("pass-through", Map.of("strength", 0.25)));
    assertThat(b.options()).isEqualTo(new TestProviders.PassOptions(0.25, 3));
  }

  @Test
  void badPluginOptionIsNamedWithItsPath() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new TestProviders.PassThrough()).build();
    assertThatThrownBy(() -> PluginResolver.bind(r, PluginKind.DENOISER, "denoise",
        new PluginRef("pass-through", Map.of("kernel", 99)))).isInstanceOf(ConfigException.class)
        .hasMessage("denoise.options.kernel: must be in [1, 31], got 99");
    assertThatThrownBy(() -> PluginResolver.bind(r, PluginKind.DENOISER, "denoise",
        new PluginRef("pass-through", Map.of("kernal", 5)))).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("denoise.options.kernal: unknown key; valid keys here: kernel, strength");
  }

  @Test
  void classNamesMustMatchClassCount() {
    assertThatThrownBy(() -> ConfigLoader.parse("num_classes: 3\nclass_names: [a]", true))
        .hasMessageStartingWith("class_names: must name the 2 non-background classes");
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessage(f + ": no such file");
  }

  @Test
  void keysAreTorchvisionsSpelling() {
    String yaml = ConfigLoader.toYaml(ModelConfig.defaults());
    assertThat(yaml).contains("pre_nms_top_n_train: 2000", "post_nms_top_n_test: 1000", "box_pool_size: 7",
        "detections_per_img: 100", "ims_per_batch: 2");
    assertThat(ConfigLoader.parse("rpn: {pre_nms_top_n_test: 500}", true).rpn().preNmsTopNTest()).isEqualTo(500);
  }

  @Test
  void stagesDefaultToRes3ToRes5() {
    assertThat(ConfigLoader.parse("denoise: {name: x}", true).denoise().stages())
        .isEqualTo(List.of("res3", "res4", "res5"));
  }
}
