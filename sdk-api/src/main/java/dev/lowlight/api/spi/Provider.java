package dev.lowlight.api.spi;

import java.util.List;

/**
 * What every lowlight plugin provider has: a name, versions, a description, and a typed options
 * record with documented defaults.
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
   * The unique name of the plugin within its kind, as written in configuration files: lower case
   * letters, digits and dashes ({@code weighted-non-local}).
   */
  String name();

  /** The plugin's own version (its jar's version), for listings and run records. */
  String version();

  /**
   * The SPI version this provider was compiled against; see {@link SpiVersion} for how to make
   * the compiler record it.
   */
  SpiVersion spiVersion();

  /** One line saying what the plugin does, shown by {@code lowlight plugins}. */
  String description();

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
