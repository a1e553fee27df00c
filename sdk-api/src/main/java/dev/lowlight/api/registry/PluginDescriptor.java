package dev.lowlight.api.registry;

import dev.lowlight.api.spi.OptionInfo;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.Provider;
import dev.lowlight.api.spi.SpiVersion;
import java.util.List;

/**
 * A discovered plugin as listed by {@code lowlight plugins}.
 *
 * @param kind what it plugs into
 * @param name its configuration name
 * @param version the plugin's own version
 * @param spiVersion the SPI version it was built against
 * @param source the jar (or directory) it came from, or {@code "registered in code"}
 * @param description one line
 * @param options its documented options
 * @param provider the provider itself
 */
public record PluginDescriptor(
    PluginKind kind,
    String name,
    String version,
    SpiVersion spiVersion,
    String source,
    String description,
    List<OptionInfo> options,
    Provider<?> provider) {

  static PluginDescriptor of(Provider<?> p, String source) {
    return new PluginDescriptor(p.kind(), p.name(), p.version(), p.spiVersion(), source, p.description(),
        p.options(), p);
  }
}
