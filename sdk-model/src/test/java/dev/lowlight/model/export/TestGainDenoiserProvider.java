package dev.lowlight.model.export;

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

/**
 * A third-party denoiser defined outside the SDK (here, in test sources): a per-channel affine map
 * {@code y = weight · x + bias} that lowers itself to {@code Mul} and {@code Add}.
 */
public final class TestGainDenoiserProvider implements DenoiserProvider<NoOptions> {

  private final boolean forgetsBias;

  /** The correct plugin. */
  public TestGainDenoiserProvider() {
    this(false);
  }

  /** With {@code forgetsBias}, the lowering leaves out the shift: a wrong plugin for the export check. */
  public TestGainDenoiserProvider(boolean forgetsBias) {
    this.forgetsBias = forgetsBias;
  }

  @Override
  public String name() {
    return "test-gain";
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
    return "per-channel gain and shift (test plugin)";
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
    return new Gain(channels, forgetsBias);
  }

  /** The block. */
  static final class Gain extends AbstractBlock implements DenoisingBlock {
    private final int channels;
    private final Parameter weight;
    private final Parameter bias;
    private final boolean forgetsBias;

    Gain(int channels, boolean forgetsBias) {
      this.channels = channels;
      this.forgetsBias = forgetsBias;
      this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(1f)).build());
      this.bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
          .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(0f)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
        PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray w = ps.getValue(weight, x.getDevice(), training).reshape(1, channels, 1, 1);
      NDArray b = ps.getValue(bias, x.getDevice(), training).reshape(1, channels, 1, 1);
      return new NDList(x.mul(w).add(b));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {inputShapes[0]};
    }

    @Override
    public java.util.Map<String, Double> inspect() {
      float[] g = weight.getArray().toFloatArray();
      double sum = 0;
      for (float v : g) {
        sum += v;
      }
      return java.util.Map.of("gain.mean", sum / g.length);
    }

    @Override
    public List<String> lower(OnnxScope scope, List<String> inputs) {
      String shape = scope.longs(1, channels, 1, 1);
      String w = scope.node("Reshape").input(scope.parameter("weight", weight.getArray()), shape).output();
      String b = scope.node("Reshape").input(scope.parameter("bias", bias.getArray()), shape).output();
      String scaled = scope.node("Mul").input(inputs.get(0), w).output();
      return List.of(forgetsBias ? scaled : scope.node("Add").input(scaled, b).output());
    }
  }
}
