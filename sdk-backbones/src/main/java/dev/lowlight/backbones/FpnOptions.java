package dev.lowlight.backbones;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.Option;

/**
 * Options of the {@code fpn} neck.
 *
 * @param outChannels channels of every output level
 */
public record FpnOptions(@Option("channels of every output level, in [1, 4096]; default 256") int outChannels) {

  /** torchvision's default: 256 channels. */
  public static final FpnOptions DEFAULTS = new FpnOptions(256);

  public FpnOptions {
    Check.range("out_channels", outChannels, 1, 4096);
  }
}
