package dev.lowlight.backbones;

import dev.lowlight.api.spi.Neck;
import dev.lowlight.api.spi.NeckProvider;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.structures.ShapeSpec;
import java.util.Map;

/** Provider of the {@code fpn} neck: {@link FeaturePyramidNetwork} with torchvision's semantics and names. */
public final class FpnProvider implements NeckProvider<FpnOptions> {

  /** For {@link java.util.ServiceLoader}. */
  public FpnProvider() {}

  @Override
  public String name() {
    return "fpn";
  }

  @Override
  public String version() {
    return BackbonesVersion.VERSION;
  }

  @Override
  public SpiVersion spiVersion() {
    return SpiVersion.of(SpiVersion.MAJOR, SpiVersion.MINOR);
  }

  @Override
  public String description() {
    return "feature pyramid network (torchvision names inner_blocks.N, layer_blocks.N), outputs 0..3 and pool "
        + "(max-pool P6), strides 4..64";
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
