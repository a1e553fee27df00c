package dev.lowlight.api.registry;

import dev.lowlight.api.spi.PluginKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code META-INF/services} files to say which jar and which file a plugin problem comes
 * from: {@link java.util.ServiceLoader} names neither.
 */
final class ServiceFiles {

  private static final String PREFIX = "META-INF/services/";
  private static final Pattern PROVIDER = Pattern.compile("Provider (\\S+)");

  private ServiceFiles() {}

  /**
   * {@code broken plugin entry 'org.acme.SeSmoothProvder' in META-INF/services/...DenoiserProvider
   * of /x/se-smooth.jar: the class is not in the jar or on the class path}.
   */
  static String describeBrokenEntry(Class<?> service, ClassLoader loader, Throwable error) {
    String message = String.valueOf(error.getMessage());
    String file = PREFIX + service.getName();
    Matcher m = PROVIDER.matcher(message);
    String provider = m.find() ? m.group(1) : null;
    String where = provider == null ? null : whereListed(loader, file, provider);
    String reason;
    if (message.endsWith(" not found")) {
      reason = "the class is not in the jar or on the class path (a misspelt name in the service file, or a class"
          + " that was not compiled into the jar?)";
    } else if (message.contains("could not be instantiated")) {
      reason = "it could not be created: " + (error.getCause() != null ? error.getCause() : message)
          + " (a provider needs a public no-argument constructor that does no work)";
    } else if (message.contains("not a subtype")) {
      reason = "the class does not implement " + service.getName();
    } else {
      reason = message + (error.getCause() != null ? " (" + error.getCause() + ")" : "");
    }
    return "broken plugin entry " + (provider == null ? "" : "'" + provider + "' ") + "in " + file
        + (where == null ? "" : " of " + where) + ": " + reason;
  }

  /**
   * A warning for each declared class path entry that does not exist or provides no plugin: no
   * plugin found or refused comes from it.
   */
  static List<String> checkDeclared(List<String> declared, Map<PluginKind, Map<String, PluginDescriptor>> found,
      Map<String, String> refused) {
    Set<Path> sources = new LinkedHashSet<>();
    found.values().forEach(m -> m.values().forEach(d -> sources.add(normal(Path.of(d.source())))));
    List<String> warnings = new ArrayList<>();
    for (String entry : declared) {
      Path p = Path.of(entry);
      if (!Files.exists(p)) {
        warnings.add(PluginRegistry.CLASSPATH_VARIABLE + " entry " + entry + " does not exist");
        continue;
      }
      boolean refusedFromIt = refused.values().stream().anyMatch(r -> r.contains(p.toAbsolutePath().toString())
          || r.contains(entry));
      if (sources.contains(normal(p)) || refusedFromIt) {
        continue;
      }
      List<String> files = serviceFilesIn(p);
      warnings.add(PluginRegistry.CLASSPATH_VARIABLE + " entry " + entry + " provides no plugin: " + (files.isEmpty()
          ? "it has no " + PREFIX + "dev.lowlight.api.spi.<Kind>Provider file listing its provider classes"
          : "its " + String.join(", ", files) + " list no provider of this lowlight"));
    }
    return warnings;
  }

  /** The jar or directory whose copy of {@code file} lists {@code provider}, or null. */
  private static String whereListed(ClassLoader loader, String file, String provider) {
    String first = null;
    try {
      for (Enumeration<URL> e = loader.getResources(file); e.hasMoreElements(); ) {
        URL url = e.nextElement();
        if (lists(url, provider)) {
          return origin(url, file);
        }
        if (first == null) {
          first = origin(url, file);
        }
      }
    } catch (IOException e) {
      return null;
    }
    return first;
  }

  private static boolean lists(URL url, String provider) {
    try (InputStream in = open(url);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        int hash = line.indexOf('#');
        if ((hash >= 0 ? line.substring(0, hash) : line).strip().equals(provider)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static InputStream open(URL url) throws IOException {
    var connection = url.openConnection();
    if (connection instanceof JarURLConnection jar) {
      jar.setUseCaches(false); // do not keep the jar open for ever
    }
    return connection.getInputStream();
  }

  /** {@code /x/plugin.jar} for {@code jar:file:/x/plugin.jar!/META-INF/...}, the directory for {@code file:}. */
  private static String origin(URL url, String file) {
    String s = url.toString();
    try {
      if (s.startsWith("jar:")) {
        int bang = s.indexOf("!/");
        return Path.of(java.net.URI.create(s.substring(4, bang))).toString();
      }
      if (s.startsWith("file:")) {
        Path p = Path.of(url.toURI());
        return p.toString().endsWith(file) ? p.toString().substring(0, p.toString().length() - file.length() - 1)
            : p.toString();
      }
    } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return s;
    }
    return s;
  }

  /** The lowlight service files a jar or directory holds. */
  private static List<String> serviceFilesIn(Path entry) {
    List<String> out = new ArrayList<>();
    String spi = PREFIX + "dev.lowlight.api.spi.";
    if (Files.isDirectory(entry)) {
      Path dir = entry.resolve(PREFIX);
      if (Files.isDirectory(dir)) {
        try (var s = Files.list(dir)) {
          s.map(f -> PREFIX + f.getFileName()).filter(n -> n.startsWith(spi)).sorted().forEach(out::add);
        } catch (IOException e) {
          return out;
        }
      }
      return out;
    }
    try (JarFile jar = new JarFile(entry.toFile())) {
      jar.stream().map(e -> e.getName()).filter(n -> n.startsWith(spi)).sorted().forEach(out::add);
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  private static Path normal(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }
}
