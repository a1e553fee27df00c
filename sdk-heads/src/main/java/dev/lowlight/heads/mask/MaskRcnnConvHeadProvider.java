package dev.lowlight.heads.mask;

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
import java.util.List;

/** Plugin {@code mask-rcnn-conv} ({@link PluginKind#MASK_HEAD}): see {@link MaskRcnnConvHead}. */
public final class MaskRcnnConvHeadProvider implements HeadProvider<MaskRcnnConvHeadProvider.Options> {

  /**
   * Options of {@code mask-rcnn-conv}.
   *
   * @param layers output channels of each 3×3 conv
   * @param dilation dilation of the 3×3 convs
   * @param dimReduced channels of the transposed conv
   */
  public record Options(
      @Option("output channels of each 3x3 conv + ReLU layer, each 1..4096; default [256, 256, 256, 256]")
      List<Integer> layers,
      @Option("dilation (and padding) of the 3x3 convs, 1..8; default 1")
      int dilation,
      @Option("output channels of the 2x2 stride-2 transposed conv, 1..4096; default 256")
      int dimReduced) {

    public Options {
      Check.required("layers", layers);
      if (layers.isEmpty()) {
        throw new Check.InvalidValueException("layers", "must list at least one layer");
      }
      for (int i = 0; i < layers.size(); i++) {
        Check.required("layers[" + i + "]", layers.get(i));
        Check.range("layers[" + i + "]", layers.get(i), 1, 4096);
      }
      layers = List.copyOf(layers);
      Check.range("dilation", dilation, 1, 8);
      Check.range("dim_reduced", dimReduced, 1, 4096);
    }
  }

  private static final PluginInfo INFO = PluginInfo.of("mask-rcnn-conv", HeadsVersion.VERSION,
      SpiVersion.MAJOR, SpiVersion.MINOR,
      "torchvision MaskRCNNHeads (3x3 conv + ReLU layers) and MaskRCNNPredictor (2x2 up-conv, 1x1 logits)");

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public PluginKind kind() {
    return PluginKind.MASK_HEAD;
  }

  @Override
  public Class<Options> optionsType() {
    return Options.class;
  }

  @Override
  public Options defaultOptions() {
    return new Options(List.of(256, 256, 256, 256), 1, 256);
  }

  @Override
  public HeadBlock create(Options options, HeadContext context) {
    return MaskRcnnConvHead.builder().setInChannels(HeadInputs.channels(context, name()))
        .setNumClasses(context.numClasses()).optLayers(options.layers()).optDilation(options.dilation())
        .optDimReduced(options.dimReduced()).build();
  }
}
