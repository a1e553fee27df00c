package dev.lowlight.cli.plugins;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.NoOptions;
import dev.lowlight.api.spi.SpiVersion;
import java.util.List;
import java.util.Map;

/**
 * A third-party denoiser with a wrong lowering, found through this module's test service file:
 * its forward adds a per-channel shift that its ONNX lowering forgets, so {@code lowlight export}
 * must refuse to keep the file.
 */
public final class ForgetfulGainProvider implements DenoiserProvider<NoOptions> {

  @Override
  public String name() {
    return "forgetful-gain";
  }

  @Override
  public String version() {
    return "0.0.1";
  }

  @Override
  public SpiVersion spiVersion() {
    return SpiVersion.of(SpiVersion.MAJOR, SpiVersion.MINOR);
  }

  @Override
  public String description() {
    return "per-channel shift whose lowering forgets the shift (test plugin)";
  }

  @Override
  public Class<NoOptions> optionsType() {
    return NoOptions.class;
  }

  @Override
  public NoOptions defaultOptions() {
    return NoOptions.INSTANCE;
  }

  @Override
  public DenoisingBlock create(NoOptions options, int channels) {
    return new Shift(channels);
  }

  /** {@code y = x + shift}, lowered as {@code y = x}. */
  static final class Shift extends AbstractBlock implements DenoisingBlock {
    private final int channels;
    private final Parameter shift;

    Shift(int channels) {
      this.channels = channels;
      this.shift = addParameter(Parameter.builder().setName("shift").setType(Parameter.Type.BIAS)
          .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(0.5f)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
        PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      return new NDList(x.add(ps.getValue(shift, x.getDevice(), training).reshape(1, channels, 1, 1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {inputShapes[0]};
    }

    @Override
    public Map<String, Double> inspect() {
      return Map.of("shift.first", (double) shift.getArray().toFloatArray()[0]);
    }

    @Override
    public List<String> lower(OnnxScope scope, List<String> inputs) {
      scope.parameter("shift", shift.getArray());
      return List.of(scope.node("Identity").input(inputs.get(0)).output());
    }
  }
}
