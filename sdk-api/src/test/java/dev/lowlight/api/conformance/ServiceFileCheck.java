package dev.lowlight.api.conformance;

import static org.assertj.core.api.Assertions.fail;

import dev.lowlight.api.spi.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Checks that a provider is listed in the service file of its own jar or class directory, so a
 * missing or misspelt file is reported as such, naming the file to create and the line it needs,
 * rather than as an unknown plugin.
 */
final class ServiceFileCheck {

  private ServiceFileCheck() {}

  /** Fails naming the file and the missing line unless {@code provider}'s own code source lists it. */
  static void assertListed(Provider<?> provider) throws IOException {
    assertListed(provider, codeSource(provider.getClass()));
  }

  /** The same, for a provider whose classes are in {@code source} (a jar or a class directory). */
  static void assertListed(Provider<?> provider, Path source) throws IOException {
    String file = "META-INF/services/" + provider.kind().providerType().getName();
    String className = provider.getClass().getName();
    List<String> lines = read(source, file);
    if (lines == null) {
      fail(source + " has no " + file + "; create src/main/resources/" + file + " containing the line " + className);
    }
    if (!lines.contains(className)) {
      fail(file + " in " + source + " lists " + lines + " but not " + className + " (a misspelt or missing line?)");
    }
  }

  /** The provider class names in {@code file} of a jar or directory, or null when there is no such file. */
  private static List<String> read(Path source, String file) throws IOException {
    byte[] bytes;
    if (Files.isDirectory(source)) {
      Path f = source.resolve(file);
      if (!Files.isRegularFile(f)) {
        return null;
      }
      bytes = Files.readAllBytes(f);
    } else {
      try (JarFile jar = new JarFile(source.toFile())) {
        ZipEntry e = jar.getEntry(file);
        if (e == null) {
          return null;
        }
        try (InputStream in = jar.getInputStream(e)) {
          bytes = in.readAllBytes();
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      int hash = line.indexOf('#');
      String name = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  private static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
    }
  }
}
