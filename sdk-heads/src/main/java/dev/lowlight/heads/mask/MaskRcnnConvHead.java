package dev.lowlight.heads.mask;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.nn.ConvTranspose2d;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.api.nn.NamedSequential;
import dev.lowlight.api.nn.Relu;
import dev.lowlight.api.nn.TorchInit;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's {@code MaskRCNNHeads} plus {@code MaskRCNNPredictor}: 3×3 convolutions with ReLU
 * (four of 256 channels by default), a 2×2 stride-2 transposed convolution with ReLU, and a 1×1
 * convolution to one logit map per class. Pooled features {@code R×C×S×S} (S = 14) give mask
 * logits {@code R×K×2S×2S}. Parameter names, relative to {@code roi_heads.}: {@code
 * mask_head.0.0.*} .. {@code mask_head.3.0.*}, {@code mask_predictor.conv5_mask.*}, {@code
 * mask_predictor.mask_fcn_logits.*} (torchvision 0.14).
 *
 * <pre>{@code
 * MaskRcnnConvHead head = MaskRcnnConvHead.builder().setInChannels(256).setNumClasses(91).build();
 * }</pre>
 */
public final class MaskRcnnConvHead extends AbstractBlock implements HeadBlock {

  private final int numClasses;
  private final NamedSequential maskHead;
  private final NamedSequential maskPredictor;

  MaskRcnnConvHead(Builder b) {
    this.numClasses = b.numClasses;
    NamedSequential head = new NamedSequential();
    int in = b.inChannels;
    for (int i = 0; i < b.layers.size(); i++) {
      int out = b.layers.get(i);
      head.add(String.valueOf(i), new NamedSequential()
          .add("0", Conv2d.builder().setInChannels(in).setOutChannels(out).setKernel(3).optPadding(b.dilation)
              .optDilation(b.dilation).optWeightInit(TorchInit.kaimingNormalFanOut(9L * out))
              .optBiasInit(TorchInit.constant(0)).build())
          .add("1", new Relu()));
      in = out;
    }
    // torchvision's MaskRCNNHeads and MaskRCNNPredictor: kaiming_normal_(fan_out, relu), bias 0.
    this.maskHead = addChildBlock("mask_head", head);
    this.maskPredictor = addChildBlock("mask_predictor", new NamedSequential()
        .add("conv5_mask", ConvTranspose2d.builder().setInChannels(in).setOutChannels(b.dimReduced).setKernel(2)
            .optStride(2).optWeightInit(TorchInit.kaimingNormalFanOut(4L * b.dimReduced))
            .optBiasInit(TorchInit.constant(0)).build())
        .add("relu", new Relu())
        .add("mask_fcn_logits", Conv2d.builder().setInChannels(b.dimReduced).setOutChannels(numClasses).setKernel(1)
            .optWeightInit(TorchInit.kaimingNormalFanOut(numClasses)).optBiasInit(TorchInit.constant(0)).build()));
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Classes including background {@code K}. */
  public int numClasses() {
    return numClasses;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return maskPredictor.forward(ps, maskHead.forward(ps, inputs, training, params), training, params);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    maskHead.initialize(manager, dataType, inputShapes);
    maskPredictor.initialize(manager, dataType, maskHead.getOutputShapes(inputShapes));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return maskPredictor.getOutputShapes(maskHead.getOutputShapes(inputShapes));
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    return maskPredictor.lower(scope.child("mask_predictor"), maskHead.lower(scope.child("mask_head"), inputs));
  }

  @Override
  public String toString() {
    return "MaskRcnnConvHead(" + maskHead.getChildren().size() + " conv, classes=" + numClasses + ")";
  }

  /** Builder: {@code set*} fields are required, {@code opt*} fields have defaults. */
  public static final class Builder {
    private int inChannels = -1;
    private int numClasses = -1;
    private List<Integer> layers = List.of(256, 256, 256, 256);
    private int dilation = 1;
    private int dimReduced = 256;

    Builder() {}

    /** Channels of the pooled features. */
    public Builder setInChannels(int v) {
      inChannels = v;
      return this;
    }

    /** Classes including background, at least 2. */
    public Builder setNumClasses(int v) {
      numClasses = v;
      return this;
    }

    /** Output channels of each 3×3 conv layer (default four of 256). */
    public Builder optLayers(List<Integer> v) {
      layers = new ArrayList<>(v);
      return this;
    }

    /** Dilation (and padding) of the 3×3 convs (default 1). */
    public Builder optDilation(int v) {
      dilation = v;
      return this;
    }

    /** Output channels of the transposed conv (default 256). */
    public Builder optDimReduced(int v) {
      dimReduced = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public MaskRcnnConvHead build() {
      validate();
      return new MaskRcnnConvHead(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (inChannels < 1) {
        throw new IllegalArgumentException("inChannels must be set to a value >= 1, got " + inChannels);
      }
      if (numClasses < 2) {
        throw new IllegalArgumentException("numClasses counts background and must be set to a value >= 2, got "
            + numClasses);
      }
      if (layers.isEmpty() || layers.stream().anyMatch(c -> c == null || c < 1)) {
        throw new IllegalArgumentException("layers must list at least one channel count >= 1, got " + layers);
      }
      if (dilation < 1) {
        throw new IllegalArgumentException("dilation must be >= 1, got " + dilation);
      }
      if (dimReduced < 1) {
        throw new IllegalArgumentException("dimReduced must be >= 1, got " + dimReduced);
      }
    }
  }
}
