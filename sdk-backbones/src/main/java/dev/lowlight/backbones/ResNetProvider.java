package dev.lowlight.backbones;

import dev.lowlight.api.spi.Backbone;
import dev.lowlight.api.spi.BackboneContext;
import dev.lowlight.api.spi.BackboneProvider;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;

/**
 * The providers of {@link ResNet} bodies, one per depth ({@code resnet18}, {@code resnet34},
 * {@code resnet50}, {@code resnet101}), registered in {@code
 * META-INF/services/dev.lowlight.api.spi.BackboneProvider}.
 */
public abstract class ResNetProvider implements BackboneProvider<ResNetOptions> {

  private final int depth;
  private final PluginInfo info;

  ResNetProvider(int depth) {
    this.depth = depth;
    this.info = PluginInfo.of("resnet" + depth, BackbonesVersion.VERSION, SpiVersion.MAJOR, SpiVersion.MINOR,
        "ResNet-" + depth + " body with torchvision names (body.*), outputs res2..res5 at strides 4..32, "
            + "denoisers insertable after any stage (denoise.<stage>.*)");
  }

  @Override
  public PluginInfo info() {
    return info;
  }

  @Override
  public Class<ResNetOptions> optionsType() {
    return ResNetOptions.class;
  }

  @Override
  public ResNetOptions defaultOptions() {
    return ResNetOptions.DEFAULTS;
  }

  @Override
  public Backbone create(ResNetOptions options, BackboneContext context) {
    return ResNet.builder().setDepth(depth).optTrainableLayers(options.trainableLayers())
        .optFrozenNorm(options.norm().equals("frozen")).optDenoisers(context.denoising()).build();
  }

  /** {@code resnet18}. */
  public static final class ResNet18 extends ResNetProvider {
    /** For {@link java.util.ServiceLoader}. */
    public ResNet18() {
      super(18);
    }
  }

  /** {@code resnet34}. */
  public static final class ResNet34 extends ResNetProvider {
    /** For {@link java.util.ServiceLoader}. */
    public ResNet34() {
      super(34);
    }
  }

  /** {@code resnet50}. */
  public static final class ResNet50 extends ResNetProvider {
    /** For {@link java.util.ServiceLoader}. */
    public ResNet50() {
      super(50);
    }
  }

  /** {@code resnet101}. */
  public static final class ResNet101 extends ResNetProvider {
    /** For {@link java.util.ServiceLoader}. */
    public ResNet101() {
      super(101);
    }
  }
}
