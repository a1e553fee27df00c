package dev.lowlight.heads.box;

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

/** Plugin {@code two-mlp} ({@link PluginKind#BOX_HEAD}): see {@link TwoMlpBoxHead}. */
public final class TwoMlpBoxHeadProvider implements HeadProvider<TwoMlpBoxHeadProvider.Options> {

  /**
   * Options of {@code two-mlp}.
   *
   * @param representationSize width of fc6 and fc7
   * @param poolSize side of the RoIAlign output the head reads
   */
  public record Options(
      @Option("width of the two fully connected layers fc6 and fc7, 1..65536; default 1024")
      int representationSize,
      @Option("side of the pooled RoI features (must equal roi_heads.box_pool_size), 1..64; default 7")
      int poolSize) {

    public Options {
      Check.range("representation_size", representationSize, 1, 65_536);
      Check.range("pool_size", poolSize, 1, 64);
    }
  }

  private static final PluginInfo INFO = PluginInfo.of("two-mlp", HeadsVersion.VERSION,
      SpiVersion.MAJOR, SpiVersion.MINOR,
      "torchvision TwoMLPHead (fc6, fc7 with ReLU) and FastRCNNPredictor (class logits, per-class deltas)");

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public PluginKind kind() {
    return PluginKind.BOX_HEAD;
  }

  @Override
  public Class<Options> optionsType() {
    return Options.class;
  }

  @Override
  public Options defaultOptions() {
    return new Options(1024, 7);
  }

  @Override
  public HeadBlock create(Options options, HeadContext context) {
    return TwoMlpBoxHead.builder().setInChannels(HeadInputs.channels(context, name()))
        .setNumClasses(context.numClasses()).optPoolSize(options.poolSize())
        .optRepresentationSize(options.representationSize()).build();
  }
}
