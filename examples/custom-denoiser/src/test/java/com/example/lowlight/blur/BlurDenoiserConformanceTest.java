package com.example.lowlight.blur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.config.PluginResolver;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.PluginKind;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** What a plugin author runs: the SDK's conformance kit, and selection by name in a config. */
class BlurDenoiserConformanceTest {

  @TestFactory
  Stream<DynamicTest> conformance() {
    return dev.lowlight.api.conformance.ConformanceKit.forDenoiser(new BlurDenoiserProvider()).channels(8).tests();
  }

  @Test
  void selectedByNameInAConfig() {
    ModelConfig config = ConfigLoader.parse("""
        denoise:
          name: gaussian-blur
          stages: [res4, res5]
          options: {sigma: 2.0}
        """, true);
    var bound = PluginResolver.bind(PluginRegistry.load(), PluginKind.DENOISER, "denoise", config.denoise().plugin());
    assertThat(bound.descriptor().source()).isNotEqualTo("registered in code");
    assertThat(bound.options()).isEqualTo(new BlurDenoiserProvider.Options(2.0));
  }

  @Test
  void badOptionNamesTheKey() {
    ModelConfig config = ConfigLoader.parse("denoise: {name: gaussian-blur, options: {sigma: 9}}", true);
    assertThatThrownBy(() -> PluginResolver.bind(PluginRegistry.load(), PluginKind.DENOISER, "denoise",
        config.denoise().plugin())).isInstanceOf(ConfigException.class)
        .hasMessage("denoise.options.sigma: must be in [0.3, 3.0], got 9.0");
  }
}
