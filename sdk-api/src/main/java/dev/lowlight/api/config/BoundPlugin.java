package dev.lowlight.api.config;

import dev.lowlight.api.registry.PluginDescriptor;

/**
 * A plugin named in a configuration, found in the registry, with its options bound to the typed
 * record.
 *
 * @param path where it is named in the configuration ({@code denoise})
 * @param descriptor the plugin
 * @param options the bound options record
 */
public record BoundPlugin(String path, PluginDescriptor descriptor, Record options) {}
