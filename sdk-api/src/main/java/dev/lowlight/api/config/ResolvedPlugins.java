package dev.lowlight.api.config;

import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.Backbone;
import dev.lowlight.api.spi.BackboneContext;
import dev.lowlight.api.spi.BackboneProvider;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.api.spi.HeadContext;
import dev.lowlight.api.spi.HeadProvider;
import dev.lowlight.api.spi.Neck;
import dev.lowlight.api.spi.NeckProvider;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.structures.ShapeSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plugins of a {@link ModelConfig}, found and bound once, with their kinds in their types: the
 * model builds its blocks through the typed {@code create} methods here, so no caller casts a
 * provider or its options. A provider's options are checked against its own {@code optionsType()}
 * when a block is made, so a mismatch is an error naming the plugin rather than a {@code
 * ClassCastException} deep in a plugin.
 *
 * <pre>{@code
 * ResolvedPlugins plugins = ResolvedPlugins.resolve(config, PluginRegistry.load());
 * Backbone backbone = plugins.createBackbone(new BackboneContext(insertion));
 * }</pre>
 *
 * @param backbone the backbone plugin
 * @param denoiser the denoiser plugin, or {@code null} when the configuration names none
 * @param neck the neck plugin
 * @param rpnHead the RPN head plugin
 * @param boxHead the box head plugin
 * @param maskHead the mask head plugin
 */
public record ResolvedPlugins(BoundPlugin backbone, BoundPlugin denoiser, BoundPlugin neck, BoundPlugin rpnHead,
    BoundPlugin boxHead, BoundPlugin maskHead) {

  /**
   * Finds every plugin {@code config} names in {@code registry} and binds its options.
   *
   * @throws ConfigException naming the key of the first unknown plugin or bad option
   */
  public static ResolvedPlugins resolve(ModelConfig config, PluginRegistry registry) {
    Map<String, BoundPlugin> all = PluginResolver.resolve(config, registry);
    return new ResolvedPlugins(all.get("backbone"), all.get("denoise"), all.get("neck"), all.get("rpn.head"),
        all.get("roi_heads.box_head"), all.get("roi_heads.mask_head"));
  }

  /** Every plugin by its path in the configuration ({@code backbone}, {@code denoise}, {@code rpn.head}, ...). */
  public Map<String, BoundPlugin> byPath() {
    Map<String, BoundPlugin> out = new LinkedHashMap<>();
    for (BoundPlugin b : new BoundPlugin[] {backbone, denoiser, neck, rpnHead, boxHead, maskHead}) {
      if (b != null) {
        out.put(b.path(), b);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The backbone the configuration names, with {@code context}'s denoisers inside. */
  public Backbone createBackbone(BackboneContext context) {
    return backbone(provider(backbone, PluginKind.BACKBONE, BackboneProvider.class), backbone.options(), context);
  }

  /** A denoiser for feature maps of {@code channels} channels. */
  public DenoisingBlock createDenoiser(int channels) {
    if (denoiser == null) {
      throw new IllegalStateException("the configuration names no denoiser");
    }
    return denoiser(provider(denoiser, PluginKind.DENOISER, DenoiserProvider.class), denoiser.options(), channels);
  }

  /** The neck, for the backbone's declared outputs. */
  public Neck createNeck(Map<String, ShapeSpec> inputShape) {
    return neck(provider(neck, PluginKind.NECK, NeckProvider.class), neck.options(), inputShape);
  }

  /** The RPN head. */
  public HeadBlock createRpnHead(HeadContext context) {
    return head(rpnHead, context);
  }

  /** The box head with its predictor. */
  public HeadBlock createBoxHead(HeadContext context) {
    return head(boxHead, context);
  }

  /** The mask head with its predictor. */
  public HeadBlock createMaskHead(HeadContext context) {
    return head(maskHead, context);
  }

  private static HeadBlock head(BoundPlugin b, HeadContext context) {
    return head(provider(b, null, HeadProvider.class), b.options(), context);
  }

  /** The plugin's provider as the interface of its kind (the registry found it under that kind). */
  private static <P> P provider(BoundPlugin b, PluginKind kind, Class<P> type) {
    Object p = b.descriptor().provider();
    if (!type.isInstance(p) || kind != null && b.descriptor().kind() != kind) {
      throw new IllegalStateException(b.path() + ": plugin " + b.descriptor().name() + " is a "
          + b.descriptor().kind() + ", not a " + type.getSimpleName());
    }
    return type.cast(p);
  }

  // Each helper captures the provider's options type O, so the options are cast by the provider's own
  // Class<O> (a checked cast) rather than an unchecked one.

  private static <O extends Record> Backbone backbone(BackboneProvider<O> p, Record options, BackboneContext c) {
    return p.create(options(p.optionsType(), options, p.name()), c);
  }

  private static <O extends Record> DenoisingBlock denoiser(DenoiserProvider<O> p, Record options, int channels) {
    return p.create(options(p.optionsType(), options, p.name()), channels);
  }

  private static <O extends Record> Neck neck(NeckProvider<O> p, Record options, Map<String, ShapeSpec> in) {
    return p.create(options(p.optionsType(), options, p.name()), in);
  }

  private static <O extends Record> HeadBlock head(HeadProvider<O> p, Record options, HeadContext c) {
    return p.create(options(p.optionsType(), options, p.name()), c);
  }

  private static <O extends Record> O options(Class<O> type, Record options, String plugin) {
    if (!type.isInstance(options)) {
      throw new IllegalStateException("plugin " + plugin + " takes " + type.getName() + " options, got "
          + (options == null ? "none" : options.getClass().getName()));
    }
    return type.cast(options);
  }
}
