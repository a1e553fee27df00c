package dev.lowlight.api.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.SpiVersion;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider states its name, versions and description either in one {@link PluginInfo} or in the
 * four methods of SPI 1.0 and 1.1; both register, and both keep the SPI version they were
 * compiled against.
 */
class PluginInfoTest {

  @TempDir Path dir;

  /** States itself in one value, as the built-in plugins do. */
  public static final class Stated extends TestProviders.Unstated {
    private static final PluginInfo INFO = PluginInfo.of("stated", "2.0.1", SpiVersion.MAJOR, SpiVersion.MINOR,
        "states itself in one PluginInfo");

    @Override
    public PluginInfo info() {
      return INFO;
    }
  }

  /** Implements neither info() nor name(), version(), spiVersion() and description(). */
  public static final class Silent extends TestProviders.Unstated {}

  @Test
  void aProviderStatedInOneValueReportsItThroughTheFourMethods() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new Stated()).build();
    PluginDescriptor d = r.find(PluginKind.DENOISER, "stated");
    assertThat(d.version()).isEqualTo("2.0.1");
    assertThat(d.spiVersion()).isEqualTo(SpiVersion.RUNTIME);
    assertThat(d.description()).isEqualTo("states itself in one PluginInfo");
  }

  @Test
  void theFourMethodsOfSpi11StillDescribeAProvider() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new TestProviders.PassThrough())
        .build();
    PluginDescriptor d = r.find(PluginKind.DENOISER, "pass-through");
    assertThat(d.version()).isEqualTo("1.2.3");
    assertThat(d.spiVersion()).isEqualTo(SpiVersion.RUNTIME);
    assertThat(d.description()).isEqualTo("returns its input");
  }

  @Test
  void aProviderThatStatesNothingIsRefusedNamingItsClass() {
    PluginRegistry r = PluginRegistry.builder().withoutServiceLoader().register(new Silent()).build();
    assertThat(r.names(PluginKind.DENOISER)).isEmpty();
    assertThat(r.problems()).singleElement().asString()
        .contains(Silent.class.getName(), "implements neither info() nor name(), version(), spiVersion() and"
            + " description()");
  }

  /**
   * The property the SPI check rests on: a plugin compiled against an older {@code sdk-api} reports
   * that older version on this runtime, in either style, because the compiler copied the constants
   * into the plugin's class file. The old {@code sdk-api} is stood in for by a {@code SpiVersion}
   * source of version 1.0 compiled with the plugins and then removed, so that the plugins run
   * against this runtime's {@code SpiVersion}.
   */
  @Test
  void aPluginCompiledAgainstAnOlderSpiKeepsReportingIt() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/org/acme"));
    Path stub = Files.createDirectories(dir.resolve("src/dev/lowlight/api/spi")).resolve("SpiVersion.java");
    Files.writeString(stub, """
        package dev.lowlight.api.spi;
        public record SpiVersion(int major, int minor) {
          public static final int MAJOR = 1;
          public static final int MINOR = 0;
          public static SpiVersion of(int major, int minor) {
            return new SpiVersion(major, minor);
          }
        }
        """);
    Files.writeString(src.resolve("InfoStyle.java"), """
        package org.acme;
        import dev.lowlight.api.spi.PluginInfo;
        import dev.lowlight.api.spi.SpiVersion;
        public final class InfoStyle extends dev.lowlight.api.registry.TestProviders.Unstated {
          private static final PluginInfo INFO = PluginInfo.of("info-style", "1.0.0", SpiVersion.MAJOR,
              SpiVersion.MINOR, "states itself in one PluginInfo");
          @Override
          public PluginInfo info() {
            return INFO;
          }
        }
        """);
    Files.writeString(src.resolve("FourMethodStyle.java"), """
        package org.acme;
        import dev.lowlight.api.spi.SpiVersion;
        public final class FourMethodStyle extends dev.lowlight.api.registry.TestProviders.PassThrough {
          @Override
          public String name() {
            return "four-method-style";
          }
          @Override
          public SpiVersion spiVersion() {
            return SpiVersion.of(SpiVersion.MAJOR, SpiVersion.MINOR);
          }
        }
        """);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classpath, "--release", "17",
        "-proc:none", stub.toString(), src.resolve("InfoStyle.java").toString(),
        src.resolve("FourMethodStyle.java").toString()));
    assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)))
        .as("javac against SPI 1.0").isZero();
    Files.delete(classes.resolve("dev/lowlight/api/spi/SpiVersion.class"));
    Path services = Files.createDirectories(classes.resolve("META-INF/services"));
    Files.writeString(services.resolve(DenoiserProvider.class.getName()),
        "org.acme.InfoStyle\norg.acme.FourMethodStyle\n");

    try (URLClassLoader cl = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      PluginRegistry r = PluginRegistry.builder().classLoader(cl).build();
      assertThat(SpiVersion.RUNTIME).isGreaterThan(SpiVersion.of(1, 0));
      assertThat(r.find(PluginKind.DENOISER, "info-style").spiVersion()).isEqualTo(SpiVersion.of(1, 0));
      assertThat(r.find(PluginKind.DENOISER, "four-method-style").spiVersion()).isEqualTo(SpiVersion.of(1, 0));
    }
  }
}
