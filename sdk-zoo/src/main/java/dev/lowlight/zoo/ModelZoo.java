package dev.lowlight.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models shipped on the class path: every jar that carries a {@code lowlight-zoo/index.txt}
 * (one model name per line) and, for each name, {@code lowlight-zoo/NAME/} with {@code
 * manifest.json}, {@code config.yaml}, {@code model.json} and {@code model.safetensors}. This
 * artifact ships {@code scenes-r18}; another jar can add models the same way.
 *
 * <pre>{@code
 * for (ZooModel m : ModelZoo.list()) {
 *   System.out.println(m.name() + ": " + m.manifest().description());
 * }
 * Path dir = ModelZoo.get("scenes-r18").directory();
 * }</pre>
 */
public final class ModelZoo {

  /** The resource folder of the zoo's models. */
  public static final String ROOT = "lowlight-zoo/";

  /** The prefix that names a zoo model wherever a model directory is accepted ({@code zoo:scenes-r18}). */
  public static final String SCHEME = "zoo:";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelZoo() {}

  /** Every model on the class path, by name in index order. */
  public static List<ZooModel> list() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
        ? Thread.currentThread().getContextClassLoader() : ModelZoo.class.getClassLoader();
    Map<String, ZooModel> models = new LinkedHashMap<>();
    try {
      Enumeration<URL> indexes = loader.getResources(ROOT + "index.txt");
      while (indexes.hasMoreElements()) {
        URL index = indexes.nextElement();
        for (String name : lines(index)) {
          models.putIfAbsent(name, new ZooModel(manifest(loader, name), loader));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model zoo's index: " + e.getMessage(), e);
    }
    return List.copyOf(models.values());
  }

  /**
   * The model called {@code name}.
   *
   * @throws IllegalArgumentException naming the models there are when none is called so
   */
  public static ZooModel get(String name) {
    List<ZooModel> all = list();
    for (ZooModel m : all) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    List<String> names = new ArrayList<>();
    all.forEach(m -> names.add(m.name()));
    throw new IllegalArgumentException("no zoo model '" + name + "'; the zoo has " + (names.isEmpty()
        ? "none (add the sdk-zoo jar to the classpath)" : names));
  }

  /** Whether {@code reference} names a zoo model ({@code zoo:NAME}). */
  public static boolean isReference(String reference) {
    return reference != null && reference.startsWith(SCHEME);
  }

  /**
   * The model directory {@code reference} names: {@code zoo:NAME} is the zoo model's extracted
   * directory, anything else a path as given.
   */
  public static Path resolve(String reference) {
    return isReference(reference) ? get(reference.substring(SCHEME.length())).directory() : Path.of(reference);
  }

  /** Where extracted models are kept: {@code $LOWLIGHT_CACHE}, or {@code ~/.cache/lowlight}. */
  static Path cache() {
    String env = System.getenv("LOWLIGHT_CACHE");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "lowlight");
  }

  private static Manifest manifest(ClassLoader loader, String name) throws IOException {
    try (InputStream in = loader.getResourceAsStream(ROOT + name + "/manifest.json")) {
      if (in == null) {
        throw new IllegalStateException("zoo index names " + name + " but its jar has no " + ROOT + name
            + "/manifest.json");
      }
      Manifest m = JSON.readValue(in, Manifest.class);
      if (!name.equals(m.name())) {
        throw new IllegalStateException(ROOT + name + "/manifest.json names the model " + m.name());
      }
      return m;
    }
  }

  private static List<String> lines(URL index) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(index.openStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        line = line.strip();
        if (!line.isEmpty() && !line.startsWith("#")) {
          out.add(line);
        }
      }
    }
    return out;
  }
}
