/**
 * The plugin SPIs. Each kind of plugin has a provider interface discovered through {@link
 * java.util.ServiceLoader}: {@link dev.lowlight.api.spi.BackboneProvider}, {@link
 * dev.lowlight.api.spi.DenoiserProvider}, {@link dev.lowlight.api.spi.NeckProvider}, {@link
 * dev.lowlight.api.spi.HeadProvider} and {@link dev.lowlight.api.spi.SynthesizerProvider}. A
 * provider states its name, its version, the {@link dev.lowlight.api.spi.SpiVersion} it was built
 * against and a description (one {@link dev.lowlight.api.spi.PluginInfo}), and creates its product
 * from a typed options record.
 */
package dev.lowlight.api.spi;
