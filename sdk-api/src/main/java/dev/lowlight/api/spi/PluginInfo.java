package dev.lowlight.api.spi;

/**
 * What a provider says about itself in one value: its name, its own version, the SPI version it
 * was compiled against, and one line of description. A provider states it once, in {@link
 * Provider#info()}, instead of implementing four methods:
 *
 * <pre>{@code
 * private static final PluginInfo INFO = PluginInfo.of("my-denoiser", "1.0.0",
 *     SpiVersion.MAJOR, SpiVersion.MINOR, "what it does, in one line");
 *
 * public PluginInfo info() {
 *   return INFO;
 * }
 * }</pre>
 *
 * <p>The SPI version is passed as {@link SpiVersion#MAJOR} and {@link SpiVersion#MINOR} at the
 * provider's own call: they are compile-time constants, so the compiler writes the numbers of the
 * {@code sdk-api} the plugin was built with into the plugin's class file, and the plugin keeps
 * reporting them on a newer runtime. (A factory that read the constants itself would report the
 * runtime's version, which is why there is none.) Added in SPI 1.2.
 *
 * @param name the plugin's name, see {@link Provider#name()}
 * @param version the plugin's own version, see {@link Provider#version()}
 * @param spiVersion the SPI version the plugin was compiled against
 * @param description one line, see {@link Provider#description()}
 */
public record PluginInfo(String name, String version, SpiVersion spiVersion, String description) {

  public PluginInfo {
    if (spiVersion == null) {
      throw new IllegalArgumentException("the SPI version of plugin '" + name + "' is missing");
    }
  }

  /**
   * The information of a provider compiled against SPI {@code spiMajor.spiMinor}; pass {@link
   * SpiVersion#MAJOR} and {@link SpiVersion#MINOR}.
   */
  public static PluginInfo of(String name, String version, int spiMajor, int spiMinor, String description) {
    return new PluginInfo(name, version, SpiVersion.of(spiMajor, spiMinor), description);
  }
}
