package dev.lowlight.api.registry;

import dev.lowlight.api.spi.BackboneProvider;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.HeadProvider;
import dev.lowlight.api.spi.NeckProvider;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.Provider;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.spi.SynthesizerProvider;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds plugin providers and hands them out by kind and name.
 *
 * <p>Providers come from {@link ServiceLoader} on one or more class loaders and from code ({@link
 * Builder#register}), for application servers and containers whose class loaders hide service
 * files. Plugins built against an incompatible SPI version, or two plugins of one kind with the
 * same name, are not handed out: asking for them throws a {@link PluginException} naming the jars
 * and versions, and {@link #problems()} lists them for {@code lowlight plugins}.
 *
 * <pre>{@code
 * PluginRegistry registry = PluginRegistry.load();
 * DenoiserProvider<?> wnlb = registry.denoiser("weighted-non-local");
 * }</pre>
 */
public final class PluginRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
  private static final String CODE = "registered in code";

  /** The environment variable {@code bin/lowlight} adds to the class path: plugin jars. */
  public static final String CLASSPATH_VARIABLE = "LOWLIGHT_CLASSPATH";

  private final Map<PluginKind, Map<String, PluginDescriptor>> plugins;
  private final Map<String, String> refused;
  private final List<String> warnings;

  private PluginRegistry(Map<PluginKind, Map<String, PluginDescriptor>> plugins, Map<String, String> refused,
      List<String> warnings) {
    this.plugins = plugins;
    this.refused = refused;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * The plugins visible to the thread's context class loader (or this class's loader); the
   * entries of {@value #CLASSPATH_VARIABLE} are checked (see {@link Builder#declaredClasspath}).
   */
  public static PluginRegistry load() {
    return builder().declaredClasspath(System.getenv(CLASSPATH_VARIABLE)).build();
  }

  /** A builder for a registry with explicit class loaders and providers registered in code. */
  public static Builder builder() {
    return new Builder();
  }

  /** Every usable plugin, sorted by kind and name. */
  public List<PluginDescriptor> list() {
    return plugins.values().stream().flatMap(m -> m.values().stream())
        .sorted(Comparator.comparing(PluginDescriptor::kind).thenComparing(PluginDescriptor::name))
        .collect(Collectors.toUnmodifiableList());
  }

  /** The usable plugins of one kind, sorted by name. */
  public List<PluginDescriptor> list(PluginKind kind) {
    return list().stream().filter(d -> d.kind() == kind).collect(Collectors.toUnmodifiableList());
  }

  /** The names of the usable plugins of one kind, sorted. */
  public List<String> names(PluginKind kind) {
    return list(kind).stream().map(PluginDescriptor::name).collect(Collectors.toUnmodifiableList());
  }

  /** Why plugins were refused (incompatible SPI, duplicate name, broken service entry). */
  public List<String> problems() {
    return List.copyOf(new LinkedHashSet<>(refused.values()));
  }

  /**
   * Declared plugin jars that give nothing: a {@value #CLASSPATH_VARIABLE} entry that does not
   * exist, or that provides no plugin (no service file), each naming the entry.
   */
  public List<String> warnings() {
    return warnings;
  }

  /**
   * The plugin of {@code kind} called {@code name}.
   *
   * @throws PluginException when there is none (the message lists the valid names) or it was
   *     refused (the message says why)
   */
  public PluginDescriptor find(PluginKind kind, String name) {
    PluginDescriptor d = plugins.getOrDefault(kind, Map.of()).get(name);
    if (d != null) {
      return d;
    }
    String why = refused.get(key(kind, name));
    if (why != null) {
      throw new PluginException(why);
    }
    List<String> names = names(kind);
    throw new PluginException("unknown " + kind.label() + " plugin '" + name + "'; available: "
        + (names.isEmpty() ? "none" : String.join(", ", names))
        + (warnings.isEmpty() ? " (add the plugin's jar to the classpath, e.g. " + CLASSPATH_VARIABLE
            + "=plugin.jar, to use another)" : "; " + String.join("; ", warnings)));
  }

  /** The denoiser called {@code name}. */
  public DenoiserProvider<?> denoiser(String name) {
    return (DenoiserProvider<?>) find(PluginKind.DENOISER, name).provider();
  }

  /** The backbone called {@code name}. */
  public BackboneProvider<?> backbone(String name) {
    return (BackboneProvider<?>) find(PluginKind.BACKBONE, name).provider();
  }

  /** The neck called {@code name}. */
  public NeckProvider<?> neck(String name) {
    return (NeckProvider<?>) find(PluginKind.NECK, name).provider();
  }

  /** The head of {@code kind} called {@code name}. */
  public HeadProvider<?> head(PluginKind kind, String name) {
    return (HeadProvider<?>) find(kind, name).provider();
  }

  /** The synthesizer called {@code name}. */
  public SynthesizerProvider<?> synthesizer(String name) {
    return (SynthesizerProvider<?>) find(PluginKind.SYNTHESIZER, name).provider();
  }

  /** Where a provider's class was loaded from: its jar or class directory. */
  public static String sourceOf(Class<?> type) {
    CodeSource cs = type.getProtectionDomain() == null ? null : type.getProtectionDomain().getCodeSource();
    if (cs == null || cs.getLocation() == null) {
      return "unknown location (" + type.getName() + ")";
    }
    try {
      return Path.of(cs.getLocation().toURI()).toString();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return cs.getLocation().toString();
    }
  }

  private static String key(PluginKind kind, String name) {
    return kind.name() + "/" + name;
  }

  /** Collects class loaders and coded providers, then discovers. */
  public static final class Builder {
    private final List<ClassLoader> loaders = new ArrayList<>();
    private final List<Provider<?>> coded = new ArrayList<>();
    private final List<String> declared = new ArrayList<>();
    private boolean serviceLoader = true;

    Builder() {}

    /** Also discovers services visible to {@code loader}. */
    public Builder classLoader(ClassLoader loader) {
      loaders.add(loader);
      return this;
    }

    /** Adds a provider directly, as if it were discovered. */
    public Builder register(Provider<?> provider) {
      coded.add(provider);
      return this;
    }

    /**
     * Class path entries that are meant to bring plugins ({@code a.jar:b.jar}, as {@value
     * #CLASSPATH_VARIABLE} holds them); each one that does not exist or provides no plugin becomes
     * a {@link PluginRegistry#warnings() warning} naming it. Null or empty declares nothing.
     */
    public Builder declaredClasspath(String entries) {
      if (entries != null) {
        for (String e : entries.split(java.io.File.pathSeparator)) {
          if (!e.isBlank()) {
            declared.add(e.strip());
          }
        }
      }
      return this;
    }

    /** Uses only the providers registered in code. */
    public Builder withoutServiceLoader() {
      serviceLoader = false;
      return this;
    }

    /** Discovers and checks every provider. */
    public PluginRegistry build() {
      Map<PluginKind, Map<String, PluginDescriptor>> found = new LinkedHashMap<>();
      Map<String, String> refused = new LinkedHashMap<>();
      Map<Class<?>, Boolean> seen = new IdentityHashMap<>();
      List<ClassLoader> cls = new ArrayList<>(loaders);
      if (cls.isEmpty()) {
        ClassLoader ctx = Thread.currentThread().getContextClassLoader();
        cls.add(ctx != null ? ctx : PluginRegistry.class.getClassLoader());
      }
      for (Provider<?> p : coded) {
        add(p, CODE, found, refused, seen);
      }
      if (serviceLoader) {
        Set<Class<?>> services = new LinkedHashSet<>();
        for (PluginKind k : PluginKind.values()) {
          services.add(k.providerType());
        }
        for (ClassLoader cl : cls) {
          for (Class<?> service : services) {
            discover(service, cl, found, refused, seen);
          }
        }
      }
      refused.values().forEach(LOG::warn);
      List<String> warnings = ServiceFiles.checkDeclared(declared, found, refused);
      warnings.forEach(LOG::warn);
      return new PluginRegistry(found, refused, warnings);
    }

    private static void discover(Class<?> service, ClassLoader cl, Map<PluginKind, Map<String, PluginDescriptor>> found,
        Map<String, String> refused, Map<Class<?>, Boolean> seen) {
      Iterator<?> it = ServiceLoader.load(service, cl).iterator();
      while (true) {
        Object p;
        try {
          if (!it.hasNext()) {
            return;
          }
          p = it.next();
        } catch (ServiceConfigurationError | LinkageError e) {
          String msg = ServiceFiles.describeBrokenEntry(service, cl, e);
          refused.put("broken/" + msg, msg);
          continue;
        }
        add((Provider<?>) p, sourceOf(p.getClass()), found, refused, seen);
      }
    }

    private static void add(Provider<?> p, String source, Map<PluginKind, Map<String, PluginDescriptor>> found,
        Map<String, String> refused, Map<Class<?>, Boolean> seen) {
      if (seen.put(p.getClass(), Boolean.TRUE) != null) {
        return; // the same class reached through two class loaders that share it
      }
      String name;
      PluginKind kind;
      SpiVersion spi;
      try {
        name = p.name();
        kind = p.kind();
        spi = p.spiVersion();
      } catch (RuntimeException | LinkageError e) {
        String msg = "plugin " + p.getClass().getName() + " from " + source + " cannot describe itself: " + e;
        refused.put("broken/" + p.getClass().getName(), msg);
        return;
      }
      if (name == null || !NAME.matcher(name).matches()) {
        refused.put("broken/" + p.getClass().getName(), "plugin " + p.getClass().getName() + " from " + source
            + " has an invalid name '" + name + "': use lower-case letters, digits and dashes");
        return;
      }
      String key = key(kind, name);
      if (spi == null || !spi.runsOn(SpiVersion.RUNTIME)) {
        refused.put(key, kind.label() + " plugin '" + name + "' " + p.version() + " from " + source
            + " was built for SPI " + spi + " but this lowlight runs SPI " + SpiVersion.RUNTIME
            + "; use a version of the plugin built for SPI " + SpiVersion.RUNTIME.major() + ".x");
        return;
      }
      Map<String, PluginDescriptor> ofKind = found.computeIfAbsent(kind, k -> new LinkedHashMap<>());
      PluginDescriptor earlier = ofKind.get(name);
      if (earlier != null || refused.containsKey(key)) {
        String first = earlier != null ? earlier.source() : "an earlier jar";
        ofKind.remove(name);
        refused.put(key, "two jars register the " + kind.label() + " plugin '" + name + "': " + first + " and "
            + source + "; remove one of them from the classpath");
        return;
      }
      ofKind.put(name, PluginDescriptor.of(p, source));
    }
  }
}
