package dev.lowlight.api.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.PluginKind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registry problems name the jar and the service file; declared plugin jars that give nothing are warnings naming them. */
class RegistryErrorsNameTheJarTest {

  private static final String SERVICE = "META-INF/services/" + DenoiserProvider.class.getName();

  @TempDir Path dir;

  /** A jar holding only {@code entries} (name → content). */
  private Path jar(String name, String... entries) throws IOException {
    Path jar = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
      for (int i = 0; i < entries.length; i += 2) {
        out.putNextEntry(new JarEntry(entries[i]));
        out.write(entries[i + 1].getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void aMisspeltProviderNamesTheJarAndTheServiceFile() throws IOException {
    Path jar = jar("se-smooth.jar", SERVICE, "org.acme.SeSmoothProvder\n");
    try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      PluginRegistry r = PluginRegistry.builder().classLoader(cl).build();
      assertThat(r.problems()).singleElement().asString().isEqualTo("broken plugin entry 'org.acme.SeSmoothProvder' in "
          + SERVICE + " of " + jar + ": the class is not in the jar or on the class path (a misspelt name in the"
          + " service file, or a class that was not compiled into the jar?)");
    }
  }

  @Test
  void aDeclaredJarThatDoesNotExistIsAWarningNamingIt() {
    Path missing = dir.resolve("nowhere.jar");
    PluginRegistry r = PluginRegistry.builder().declaredClasspath(missing.toString()).build();
    assertThat(r.warnings()).containsExactly("LOWLIGHT_CLASSPATH entry " + missing + " does not exist");
    assertThatThrownBy(() -> r.find(PluginKind.DENOISER, "night-vision")).isInstanceOf(PluginException.class)
        .hasMessageEndingWith("; LOWLIGHT_CLASSPATH entry " + missing + " does not exist");
  }

  @Test
  void aDeclaredJarWithoutAServiceFileIsAWarningNamingIt() throws IOException {
    Path jar = jar("no-services.jar", "org/acme/Readme.txt", "no service file here\n");
    try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      PluginRegistry r = PluginRegistry.builder().classLoader(cl).declaredClasspath(jar.toString()).build();
      assertThat(r.warnings()).containsExactly("LOWLIGHT_CLASSPATH entry " + jar + " provides no plugin: it has no"
          + " META-INF/services/dev.lowlight.api.spi.<Kind>Provider file listing its provider classes");
      assertThatThrownBy(() -> r.denoiser("night-vision")).hasMessageContaining(jar + " provides no plugin");
    }
  }

  @Test
  void aDeclaredJarThatProvidesAPluginIsNoWarning() throws IOException {
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes.resolve("META-INF/services"));
    Files.writeString(classes.resolve(SERVICE), TestProviders.PassThrough.class.getName() + "\n");
    try (URLClassLoader cl = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      // the provider class itself comes from the test classes, so declare that directory too
      String source = PluginRegistry.sourceOf(TestProviders.PassThrough.class);
      PluginRegistry r = PluginRegistry.builder().classLoader(cl).declaredClasspath(source).build();
      assertThat(r.warnings()).isEmpty();
    }
  }
}
