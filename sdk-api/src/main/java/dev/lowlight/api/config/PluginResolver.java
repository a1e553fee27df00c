package dev.lowlight.api.config;

import dev.lowlight.api.registry.PluginDescriptor;
import dev.lowlight.api.registry.PluginException;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.Provider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks that every plugin a {@link ModelConfig} names exists in a {@link PluginRegistry} and binds
 * its options, so a bad name or option fails before any model is built, with the key's path:
 * {@code denoise.name: unknown denoiser plugin 'wnbl'; available: identity, weighted-non-local}.
 */
public final class PluginResolver {

  private PluginResolver() {}

  /** Every plugin of {@code config}, keyed by its path in the configuration. */
  public static Map<String, BoundPlugin> resolve(ModelConfig config, PluginRegistry registry) {
    Map<String, BoundPlugin> out = new LinkedHashMap<>();
    out.put("backbone", bind(registry, PluginKind.BACKBONE, "backbone", config.backbone()));
    if (config.denoise().enabled()) {
      out.put("denoise", bind(registry, PluginKind.DENOISER, "denoise", config.denoise().plugin()));
    }
    out.put("neck", bind(registry, PluginKind.NECK, "neck", config.neck()));
    out.put("rpn.head", bind(registry, PluginKind.RPN_HEAD, "rpn.head", config.rpn().head()));
    out.put("roi_heads.box_head", bind(registry, PluginKind.BOX_HEAD, "roi_heads.box_head", config.roiHeads().boxHead()));
    out.put("roi_heads.mask_head", bind(registry, PluginKind.MASK_HEAD, "roi_heads.mask_head",
        config.roiHeads().maskHead()));
    return out;
  }

  /** Finds one plugin and binds its options; errors carry {@code path}. */
  public static BoundPlugin bind(PluginRegistry registry, PluginKind kind, String path, PluginRef ref) {
    PluginDescriptor d;
    try {
      d = registry.find(kind, ref.name());
    } catch (PluginException e) {
      throw new ConfigException(path + ".name", e.getMessage(), e);
    }
    Record options = ConfigLoader.bind((Provider<?>) d.provider(), ref.options(), path + ".options");
    return new BoundPlugin(path, d, options);
  }
}
