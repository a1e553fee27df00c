package dev.lowlight.heads.rpn;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.api.spi.HeadContext;
import dev.lowlight.api.spi.HeadProvider;
import dev.lowlight.api.spi.Option;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.heads.ops.HeadInputs;
import dev.lowlight.heads.ops.HeadsVersion;

/**
 * Plugin {@code rpn} ({@link PluginKind#RPN_HEAD}): torchvision's {@code RPNHead}, see {@link
 * RpnHead}. The meta-architecture must set {@code num_anchors} to the anchor generator's anchors
 * per location (sizes per level × aspect ratios).
 */
public final class RpnHeadProvider implements HeadProvider<RpnHeadProvider.Options> {

  /**
   * Options of {@code rpn}.
   *
   * @param numAnchors anchors per location
   * @param convDepth shared 3×3 conv layers
   */
  public record Options(
      @Option("anchors per feature location (anchor sizes per level × aspect ratios), 1..64; default 3")
      int numAnchors,
      @Option("shared 3x3 conv + ReLU layers before the objectness and delta predictors, 1..8; default 1")
      int convDepth) {

    public Options {
      Check.range("num_anchors", numAnchors, 1, 64);
      Check.range("conv_depth", convDepth, 1, 8);
    }
  }

  private static final PluginInfo INFO = PluginInfo.of("rpn", HeadsVersion.VERSION, SpiVersion.MAJOR, SpiVersion.MINOR,
      "torchvision RPN head: shared 3x3 conv + ReLU, 1x1 objectness and box-delta predictors per level");

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public PluginKind kind() {
    return PluginKind.RPN_HEAD;
  }

  @Override
  public Class<Options> optionsType() {
    return Options.class;
  }

  @Override
  public Options defaultOptions() {
    return new Options(3, 1);
  }

  @Override
  public HeadBlock create(Options options, HeadContext context) {
    return RpnHead.builder().setInChannels(HeadInputs.channels(context, name())).setNumAnchors(options.numAnchors())
        .optConvDepth(options.convDepth()).build();
  }
}
