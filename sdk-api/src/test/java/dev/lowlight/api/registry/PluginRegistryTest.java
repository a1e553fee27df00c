package dev.lowlight.api.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.SpiVersion;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {

  @TempDir Path dir;

  @Test
  void findsCodedProviderByName() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new TestProviders.PassThrough()).build();
    PluginDescriptor d = r.find(PluginKind.DENOISER, "pass-through");
    assertThat(d.version()).isEqualTo("1.2.3");
    assertThat(d.source()).isEqualTo("registered in code");
    assertThat(d.options()).extracting(o -> o.key()).containsExactly("strength", "kernel");
    assertThat(d.options().get(0).defaultValue()).isEqualTo("0.5");
    assertThat(r.denoiser("pass-through")).isInstanceOf(TestProviders.PassThrough.class);
  }

  @Test
  void unknownNameListsAvailableNames() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new TestProviders.PassThrough()).build();
    assertThatThrownBy(() -> r.find(PluginKind.DENOISER, "wnbl")).isInstanceOf(PluginException.class)
        .hasMessage("unknown denoiser plugin 'wnbl'; available: pass-through "
            + "(add the plugin's jar to the classpath, e.g. LOWLIGHT_CLASSPATH=plugin.jar, to use another)");
  }

  @Test
  void incompatibleSpiIsRefusedNamingBothVersions() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new TestProviders.FromTheFuture()).build();
    assertThat(r.names(PluginKind.DENOISER)).isEmpty();
    assertThat(r.problems()).singleElement().asString().contains("from-the-future", "SPI 2.0",
        "SPI " + SpiVersion.RUNTIME);
    assertThatThrownBy(() -> r.denoiser("from-the-future")).isInstanceOf(PluginException.class)
        .hasMessageContaining("built for SPI 2.0 but this lowlight runs SPI " + SpiVersion.RUNTIME);
  }

  @Test
  void discoversThroughServiceFilesOfAnExplicitClassLoader() throws IOException {
    try (URLClassLoader cl = loaderWithServices(dir, TestProviders.PassThrough.class.getName())) {
      PluginRegistry r = PluginRegistry.builder().classLoader(cl).build();
      assertThat(r.names(PluginKind.DENOISER)).contains("pass-through");
      assertThat(r.find(PluginKind.DENOISER, "pass-through").source()).doesNotContain("registered in code");
    }
  }

  @Test
  void twoJarsWithOneNameIsAnErrorNamingBoth() throws IOException {
    try (URLClassLoader cl = loaderWithServices(dir, TestProviders.PassThrough.class.getName(),
        TestProviders.Impostor.class.getName())) {
      PluginRegistry r = PluginRegistry.builder().classLoader(cl).build();
      assertThatThrownBy(() -> r.denoiser("pass-through")).isInstanceOf(PluginException.class)
          .hasMessageContaining("two jars register the denoiser plugin 'pass-through'");
      assertThat(r.problems()).isNotEmpty();
    }
  }

  @Test
  void brokenServiceEntryIsReportedNotThrown() throws IOException {
    try (URLClassLoader cl = loaderWithServices(dir, "com.example.DoesNotExist")) {
      PluginRegistry r = PluginRegistry.builder().classLoader(cl).build();
      assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("com.example.DoesNotExist"));
    }
  }

  private static URLClassLoader loaderWithServices(Path dir, String... classes) throws IOException {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(DenoiserProvider.class.getName()), String.join("\n", classes) + "\n");
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, PluginRegistryTest.class.getClassLoader());
  }
}
