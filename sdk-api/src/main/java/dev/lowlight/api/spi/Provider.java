package dev.lowlight.api.spi;

import java.util.List;

/**
 * What every lowlight plugin provider has: a name, versions, a description (together a {@link
 * PluginInfo}), and a typed options record with documented defaults.
 *
 * <p>Providers are discovered with {@link java.util.ServiceLoader}: a plugin jar lists its
 * provider classes in {@code META-INF/services/<provider interface>} (for example {@code
 * META-INF/services/dev.lowlight.api.spi.DenoiserProvider}). A provider needs a public no-argument
 * constructor, must be stateless and thread-safe, and must do no work until {@code create} is
 * called: the registry instantiates every provider on the classpath just to list them.
 *
 * <p>Options are a Java record. The configuration file's {@code options} object for the plugin is
 * bound to it by component name in {@code snake_case} ({@code memoryBudgetMb} reads {@code
 * memory_budget_mb}); unknown keys are errors. Annotate components with {@link Option} so that
 * {@code lowlight plugins} can describe them, and validate ranges in the record's compact
 * constructor by throwing {@link IllegalArgumentException} that names the component.
 *
 * @param <O> the options record
 */
public interface Provider<O extends Record> {

  /**
   * The plugin's name, versions and description at once, with the SPI version this provider was
   * compiled against ({@link PluginInfo#of}). The SDK reads them through {@link #name()}, {@link
   * #version()}, {@link #spiVersion()} and {@link #description()}, which by default return this
   * record's fields; a provider implements either this method or those four (the way of SPI 1.0
   * and 1.1, still valid). Added in SPI 1.2.
   *
   * @throws UnsupportedOperationException when the provider implements neither
   */
  default PluginInfo info() {
    throw new UnsupportedOperationException(getClass().getName()
        + " implements neither info() nor name(), version(), spiVersion() and description()");
  }

  /**
   * The unique name of the plugin within its kind, as written in configuration files: lower case
   * letters, digits and dashes ({@code weighted-non-local}).
   */
  default String name() {
    return info().name();
  }

  /** The plugin's own version (its jar's version), for listings and run records. */
  default String version() {
    return info().version();
  }

  /**
   * The SPI version this provider was compiled against; see {@link SpiVersion} for how to make
   * the compiler record it.
   */
  default SpiVersion spiVersion() {
    return info().spiVersion();
  }

  /** One line saying what the plugin does, shown by {@code lowlight plugins}. */
  default String description() {
    return info().description();
  }

  /** The kind of plugin. */
  PluginKind kind();

  /** The options record type. */
  Class<O> optionsType();

  /** The options used when the configuration gives none; equal to the documented defaults. */
  O defaultOptions();

  /** The options, described from {@link #optionsType()} and {@link #defaultOptions()}. */
  default List<OptionInfo> options() {
    return OptionInfo.describe(optionsType(), defaultOptions());
  }
}
