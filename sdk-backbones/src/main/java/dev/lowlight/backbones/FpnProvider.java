package dev.lowlight.backbones;

import dev.lowlight.api.spi.Neck;
import dev.lowlight.api.spi.NeckProvider;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.structures.ShapeSpec;
import java.util.Map;

/** Provider of the {@code fpn} neck: {@link FeaturePyramidNetwork} with torchvision's semantics and names. */
public final class FpnProvider implements NeckProvider<FpnOptions> {

  private static final PluginInfo INFO = PluginInfo.of("fpn", BackbonesVersion.VERSION,
      SpiVersion.MAJOR, SpiVersion.MINOR,
      "feature pyramid network (torchvision names inner_blocks.N, layer_blocks.N), outputs 0..3 and pool "
          + "(max-pool P6), strides 4..64");

  /** For {@link java.util.ServiceLoader}. */
  public FpnProvider() {}

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<FpnOptions> optionsType() {
    return FpnOptions.class;
  }

  @Override
  public FpnOptions defaultOptions() {
    return FpnOptions.DEFAULTS;
  }

  @Override
  public Neck create(FpnOptions options, Map<String, ShapeSpec> inputShape) {
    return FeaturePyramidNetwork.builder().setInputShape(inputShape).optOutChannels(options.outChannels()).build();
  }
}
