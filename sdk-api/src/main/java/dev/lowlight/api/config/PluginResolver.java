package dev.lowlight.api.config;

import dev.lowlight.api.registry.PluginDescriptor;
import dev.lowlight.api.registry.PluginException;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.Provider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that every plugin a {@link ModelConfig} names exists in a {@link PluginRegistry} and binds
 * its options, so a bad name or option fails before any model is built, with the key's path:
 * {@code denoise.name: unknown denoiser plugin 'wnbl'; available: identity, weighted-non-local}.
 */
public final class PluginResolver {

  private PluginResolver() {}

  /**
   * Every plugin of {@code config}, keyed by its path in the configuration.
   *
   * @throws ConfigException for the first plugin that is unknown or has bad options; {@link
   *     #problems} lists them all
   */
  public static Map<String, BoundPlugin> resolve(ModelConfig config, PluginRegistry registry) {
    Map<String, BoundPlugin> out = new LinkedHashMap<>();
    for (Map.Entry<String, Ref> e : refs(config).entrySet()) {
      out.put(e.getKey(), bind(registry, e.getValue().kind(), e.getKey(), e.getValue().ref()));
    }
    return out;
  }

  /** Every plugin problem of {@code config}: unknown names and bad options, in file order. */
  public static List<ConfigException> problems(ModelConfig config, PluginRegistry registry) {
    List<ConfigException> problems = new ArrayList<>();
    for (Map.Entry<String, Ref> e : refs(config).entrySet()) {
      try {
        bind(registry, e.getValue().kind(), e.getKey(), e.getValue().ref());
      } catch (ConfigException ex) {
        problems.add(ex);
      }
    }
    return problems;
  }

  private record Ref(PluginKind kind, PluginRef ref) {}

  private static Map<String, Ref> refs(ModelConfig config) {
    Map<String, Ref> refs = new LinkedHashMap<>();
    refs.put("backbone", new Ref(PluginKind.BACKBONE, config.backbone()));
    if (config.denoise().enabled()) {
      refs.put("denoise", new Ref(PluginKind.DENOISER, config.denoise().plugin()));
    }
    refs.put("neck", new Ref(PluginKind.NECK, config.neck()));
    refs.put("rpn.head", new Ref(PluginKind.RPN_HEAD, config.rpn().head()));
    refs.put("roi_heads.box_head", new Ref(PluginKind.BOX_HEAD, config.roiHeads().boxHead()));
    refs.put("roi_heads.mask_head", new Ref(PluginKind.MASK_HEAD, config.roiHeads().maskHead()));
    return refs;
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
