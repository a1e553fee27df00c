package dev.lowlight.api.registry;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.config.Check;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.Option;
import dev.lowlight.api.spi.SpiVersion;
import java.util.List;

/** Providers for registry and configuration tests; registered in code or through temporary service files. */
public final class TestProviders {

  private TestProviders() {}

  /** Options with a range check. */
  public record PassOptions(@Option("a knob in [0, 1]") double strength, @Option("window side, odd") int kernel) {
    public PassOptions {
      Check.range("strength", strength, 0, 1);
      Check.range("kernel", kernel, 1, 31);
    }
  }

  /** Options and product of a denoiser that returns its input, without name, versions or description. */
  public abstract static class Unstated implements DenoiserProvider<PassOptions> {
    @Override
    public Class<PassOptions> optionsType() {
      return PassOptions.class;
    }

    @Override
    public PassOptions defaultOptions() {
      return new PassOptions(0.5, 3);
    }

    @Override
    public DenoisingBlock create(PassOptions options, int channels) {
      return new Block();
    }
  }

  /** A denoiser that returns its input, described by the four methods of SPI 1.0 and 1.1. */
  public static class PassThrough extends Unstated {
    @Override
    public String name() {
      return "pass-through";
    }

    @Override
    public String version() {
      return "1.2.3";
    }

    @Override
    public SpiVersion spiVersion() {
      return SpiVersion.of(SpiVersion.MAJOR, SpiVersion.MINOR);
    }

    @Override
    public String description() {
      return "returns its input";
    }
  }

  /** Same name as {@link PassThrough}, another class: a clash. */
  public static final class Impostor extends PassThrough {}

  /** Built for a future major version of the SPI. */
  public static final class FromTheFuture extends PassThrough {
    @Override
    public String name() {
      return "from-the-future";
    }

    @Override
    public SpiVersion spiVersion() {
      return SpiVersion.of(SpiVersion.MAJOR + 1, 0);
    }
  }

  static final class Block extends AbstractBlock implements DenoisingBlock {
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
      return in;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }

    @Override
    public List<String> lower(OnnxScope scope, List<String> inputs) {
      return List.of(scope.node("Identity").input(inputs.get(0)).output());
    }
  }
}
