package dev.lowlight.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.OptionInfo;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.spi.SynthesizerProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvidersTest {

  @Test
  void allPresetsAreRegisteredThroughServiceLoader() {
    PluginRegistry registry = PluginRegistry.load();
    assertThat(registry.names(PluginKind.SYNTHESIZER)).contains("maet", "lis", "lis-isp", "maet-release",
        "gamma-gaussian");
    for (String name : List.of("maet", "lis", "lis-isp", "maet-release", "gamma-gaussian")) {
      SynthesizerProvider<?> p = registry.synthesizer(name);
      assertThat(p.spiVersion()).isEqualTo(SpiVersion.RUNTIME);
      assertThat(p.version()).isNotBlank();
      assertThat(p.description()).isNotBlank();
      assertThat(p.kind()).isEqualTo(PluginKind.SYNTHESIZER);
      for (OptionInfo o : p.options()) {
        assertThat(o.description()).as("%s.%s", name, o.key()).isNotBlank();
      }
      assertThat(createDefault(p).synthesize(SynthTestImages.flat(5, 3, 0.5f), 1).image().width()).isEqualTo(5);
    }
  }

  private static <O extends Record> LowLightSynthesizer createDefault(SynthesizerProvider<O> p) {
    return p.create(p.defaultOptions());
  }

  @Test
  void optionsBindFromConfigurationWithOverridesAndRangeChecks() {
    MaetSynthesizerProvider p = new MaetSynthesizerProvider();
    MaetOptions o = ConfigLoader.bind(p, Map.of("darkness_max", 0.5, "quantisation_levels", List.of(8, 10)), "synth.options");
    assertThat(o.darknessMax()).isEqualTo(0.5);
    assertThat(o.quantisationLevels()).containsExactly(8, 10);
    assertThat(o.gammaMin()).isEqualTo(2.0);
    assertThatThrownBy(() -> ConfigLoader.bind(p, Map.of("gamma_min", 0.5), "synth.options"))
        .hasMessageContaining("gamma_min");
    assertThatThrownBy(() -> ConfigLoader.bind(p, Map.of("camera_matrix", "average"), "synth.options"))
        .hasMessageContaining("camera_matrix");
    assertThatThrownBy(() -> ConfigLoader.bind(new LisSynthesizerProvider(), Map.of("ratio_min", 200.0), "o"))
        .hasMessageContaining("ratio_max");
    assertThat(ConfigLoader.bind(p, Map.of("matrix_normalisation", "rows"), "synth.options").normalisation())
        .isEqualTo(CameraMatrices.Normalisation.ROWS);
    assertThatThrownBy(() -> ConfigLoader.bind(p, Map.of("matrix_normalisation", "diagonal"), "synth.options"))
        .hasMessageContaining("matrix_normalisation");
    LisOptions lis = ConfigLoader.bind(new LisSynthesizerProvider(), Map.of("read_noise", "gaussian",
        "quantisation", "pixel", "camera_matrix", "mix"), "synth.options");
    assertThat(lis.tukeyShapes()).isEqualTo(LisOptions.CANON_TUKEY_SHAPES);
    assertThat(new LisSynthesizer(lis).synthesize(SynthTestImages.flat(6, 4, 0.5f), 1).parameters())
        .containsKey("camera_weights").doesNotContainKeys("read_shape", "quantisation_offset");
  }

  @Test
  void presetsDifferAsDocumented() {
    assertThat(new MaetSynthesizerProvider().defaultOptions()).isEqualTo(MaetOptions.paper());
    MaetOptions release = new MaetReleaseSynthesizerProvider().defaultOptions();
    assertThat(release.inverseToneCurve()).isFalse();
    assertThat(release.darkness()).isEqualTo("uniform");
    assertThat(release.darknessMax()).isEqualTo(0.4);
    assertThat(release.quantisationLevels()).containsExactly(4, 6, 8);
    assertThat(MaetOptions.paper().quantisationLevels()).containsExactly(12, 14, 16);
  }
}
