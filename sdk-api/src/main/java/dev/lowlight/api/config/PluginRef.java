package dev.lowlight.api.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plugin named in the configuration, with its options as written. The options are bound to the
 * plugin's typed record by {@link ConfigLoader#bind}, which knows the plugin.
 *
 * @param name the plugin's name
 * @param options its options; keys in {@code snake_case}
 */
public record PluginRef(String name, Map<String, Object> options) {

  public PluginRef {
    Check.required("name", name);
    options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /** A plugin with default options. */
  public static PluginRef of(String name) {
    return new PluginRef(name, Map.of());
  }
}
