package dev.lowlight.api.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ConformanceKitTest {

  @TestFactory
  Stream<DynamicTest> conv2dWithParametersConforms() {
    return ConformanceKit.forBlock("conv3x3-stride2", () -> Conv2d.builder().setInChannels(4).setOutChannels(6)
            .setKernel(3).optStride(2).optPadding(1).build(), null)
        .inputs(new Shape(1, 4, 8, 8)).inputs(new Shape(2, 4, 5, 7)).inputs(new Shape(1, 4, 37, 53)).tests();
  }

  @TestFactory
  Stream<DynamicTest> groupedDilatedConvWithoutBiasConforms() {
    return ConformanceKit.forBlock("conv-grouped", () -> Conv2d.builder().setInChannels(4).setOutChannels(8)
            .setKernel(3).optPadding(2).optDilation(2).optGroups(2).optBias(false).build(), null)
        .inputs(new Shape(1, 4, 9, 11)).inputs(new Shape(3, 4, 6, 6)).tests();
  }

  @Test
  void wrongLoweringIsCaught() {
    var kit = ConformanceKit.forBlock("conv-forgets-bias", ConvThatForgetsItsBias::new, null)
        .inputs(new Shape(1, 4, 6, 6));
    assertThatThrownBy(kit::run).isInstanceOf(AssertionError.class)
        .hasMessageContaining("ONNX Runtime differs from DJL");
  }

  @Test
  void wrongDeclaredShapeIsCaught() {
    var kit = ConformanceKit.forBlock("conv-bad-shape", ConvThatMisdeclaresItsShape::new, null)
        .inputs(new Shape(1, 4, 6, 6));
    assertThatThrownBy(kit::run).isInstanceOf(AssertionError.class).hasMessageContaining("declared shape");
  }

  @Test
  void kitNeedsInputs() {
    assertThatThrownBy(() -> ConformanceKit.forBlock("x", ConvThatForgetsItsBias::new, null).tests())
        .hasMessageContaining("inputs");
  }

  @Test
  void correctConvPassesRun() throws Throwable {
    ConformanceKit.forBlock("conv1x1", () -> Conv2d.builder().setInChannels(3).setOutChannels(2).setKernel(1).build(),
        null).inputs(new Shape(1, 3, 4, 5)).run();
    assertThat(true).isTrue();
  }

  @Test
  void aProviderMissingFromItsServiceFileFailsNamingTheFileAndTheLine() {
    var metadata = ConformanceKit.forDenoiser(new dev.lowlight.api.registry.TestProviders.PassThrough()).channels(4)
        .tests().filter(t -> t.getDisplayName().contains("metadata")).toList();
    assertThat(metadata).hasSize(1);
    assertThatThrownBy(() -> metadata.get(0).getExecutable().execute()).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("pass-through: metadata and service file: "
            + "META-INF/services/dev.lowlight.api.spi.DenoiserProvider in ")
        .hasMessageContaining("but not dev.lowlight.api.registry.TestProviders$PassThrough");
  }

  @Test
  void aJarWithoutAServiceFileFailsNamingTheFileToCreate(@org.junit.jupiter.api.io.TempDir java.nio.file.Path classes) {
    var provider = new dev.lowlight.api.registry.TestProviders.PassThrough();
    assertThatThrownBy(() -> ServiceFileCheck.assertListed(provider, classes)).isInstanceOf(AssertionError.class)
        .hasMessage(classes + " has no META-INF/services/dev.lowlight.api.spi.DenoiserProvider; create"
            + " src/main/resources/META-INF/services/dev.lowlight.api.spi.DenoiserProvider containing the line"
            + " dev.lowlight.api.registry.TestProviders$PassThrough");
  }

  @Test
  void everyFailureMessageStartsWithTheNameOfItsCheck() {
    for (var t : ConformanceKit.forBlock("conv-forgets-bias", ConvThatForgetsItsBias::new, null)
        .inputs(new Shape(1, 4, 6, 6)).tests().toList()) {
      try {
        t.getExecutable().execute();
      } catch (Throwable e) {
        assertThat(e.getMessage()).startsWith(t.getDisplayName() + ": ");
      }
    }
  }

  @Test
  void denoiserReturningAChannelsLastViewIsCaught() {
    var check = ConformanceKit.forDenoiser(new ChannelsLastDenoiser()).channels(8).tests()
        .filter(t -> t.getDisplayName().contains("dense")).toList();
    assertThat(check).hasSize(1);
    assertThatThrownBy(() -> check.get(0).getExecutable().execute()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("channels-last").hasMessageContaining("Layouts.dense");
  }

  @Test
  void denoiserReturningADenseCopyPassesTheLayoutCheck() throws Throwable {
    var check = ConformanceKit.forDenoiser(new ChannelsLastDenoiser(true)).channels(8).tests()
        .filter(t -> t.getDisplayName().contains("dense")).toList();
    check.get(0).getExecutable().execute();
    assertThat(check).hasSize(1);
  }

  /**
   * Returns its input through a round trip to {@code N×H×W×C} and back, the way attention code
   * does: the values are right and the layout is channels-last, unless asked to repair it.
   */
  static final class ChannelsLastDenoiser extends dev.lowlight.api.registry.TestProviders.PassThrough {
    private final boolean repaired;

    ChannelsLastDenoiser() {
      this(false);
    }

    ChannelsLastDenoiser(boolean repaired) {
      this.repaired = repaired;
    }

    @Override
    public dev.lowlight.api.spi.DenoisingBlock create(dev.lowlight.api.registry.TestProviders.PassOptions o,
        int channels) {
      return new ChannelsLastBlock(repaired);
    }
  }

  static final class ChannelsLastBlock extends AbstractBlock implements dev.lowlight.api.spi.DenoisingBlock {
    private final boolean repaired;

    ChannelsLastBlock(boolean repaired) {
      this.repaired = repaired;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
      var x = in.singletonOrThrow();
      var view = dev.lowlight.api.nn.Layouts.dense(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2);
      return new NDList(repaired ? dev.lowlight.api.nn.Layouts.dense(view) : view);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }

    @Override
    public List<String> lower(OnnxScope scope, List<String> inputs) {
      return inputs;
    }
  }

  /** Lowers a biased convolution without its bias: a plausible mistake the kit must catch. */
  static final class ConvThatForgetsItsBias extends AbstractBlock implements OnnxLowerable {
    private final Conv2d conv = addChildBlock("conv", Conv2d.builder().setInChannels(4).setOutChannels(4)
        .setKernel(3).optPadding(1).build());

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
      return conv.forward(ps, in, training, p);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return conv.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(ai.djl.ndarray.NDManager m, ai.djl.ndarray.types.DataType t, Shape... s) {
      conv.initialize(m, t, s);
    }

    @Override
    public List<String> lower(OnnxScope scope, List<String> inputs) {
      OnnxScope s = scope.child("conv");
      return List.of(s.node("Conv").input(inputs.get(0), s.parameter("weight", conv.weight().getArray()))
          .attr("pads", 1, 1, 1, 1).output());
    }
  }

  /** Computes correctly but declares the wrong output shape. */
  static final class ConvThatMisdeclaresItsShape extends AbstractBlock implements OnnxLowerable {
    private final Conv2d conv = addChildBlock("conv", Conv2d.builder().setInChannels(4).setOutChannels(4)
        .setKernel(3).build());

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
      return conv.forward(ps, in, training, p);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(ai.djl.ndarray.NDManager m, ai.djl.ndarray.types.DataType t, Shape... s) {
      conv.initialize(m, t, s);
    }

    @Override
    public List<String> lower(OnnxScope scope, List<String> inputs) {
      return conv.lower(scope.child("conv"), inputs);
    }
  }
}
