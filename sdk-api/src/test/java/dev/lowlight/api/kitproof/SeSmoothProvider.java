package dev.lowlight.api.kitproof;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.Option;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;

/** The {@code se-smooth} denoiser of {@link SeSmoothBlock}, registered in this module's test service file. */
public class SeSmoothProvider implements DenoiserProvider<SeSmoothProvider.Options> {

  /**
   * Options of se-smooth.
   *
   * @param reduction channel reduction of the gate's hidden layer
   * @param kernel side of the depthwise smoothing window
   */
  public record Options(
      @Option(value = "channel reduction of the gate, in [1, 8]", min = 1, max = 8) int reduction,
      @Option(value = "odd side of the smoothing window, in [1, 5]", min = 1, max = 5) int kernel) {
    public Options {
      Check.range("reduction", reduction, 1, 8);
      Check.range("kernel", kernel, 1, 5);
      if (kernel % 2 == 0) {
        throw new Check.InvalidValueException("kernel", "must be odd, got " + kernel);
      }
    }
  }

  private static final PluginInfo INFO = PluginInfo.of("se-smooth", "1.0.0", SpiVersion.MAJOR, SpiVersion.MINOR,
      "depthwise smoothing blended in by a squeeze-and-excitation gate and a per-channel gain");

  private final SeSmoothBlock.Mutation mutation;

  /** The correct plugin. */
  public SeSmoothProvider() {
    this(SeSmoothBlock.Mutation.NONE);
  }

  SeSmoothProvider(SeSmoothBlock.Mutation mutation) {
    this.mutation = mutation;
  }

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<Options> optionsType() {
    return Options.class;
  }

  @Override
  public Options defaultOptions() {
    return new Options(4, 3);
  }

  @Override
  public DenoisingBlock create(Options options, int channels) {
    if (channels % options.reduction() != 0) {
      throw new IllegalArgumentException("reduction " + options.reduction() + " does not divide " + channels
          + " channels");
    }
    return new SeSmoothBlock(channels, options.reduction(), options.kernel(), mutation);
  }
}
