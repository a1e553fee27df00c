package dev.lowlight.heads.rpn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.api.nn.NamedSequential;
import dev.lowlight.api.nn.Relu;
import dev.lowlight.api.nn.TorchInit;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's {@code RPNHead}: a shared 3×3 convolution with ReLU, then 1×1 convolutions to
 * {@code A} objectness logits and {@code 4A} box deltas per location, applied to every level.
 * Inputs are the levels {@code N×C×H×W}; outputs are interleaved per level: {@code objectness_0
 * [N,A,H0,W0], deltas_0 [N,4A,H0,W0], objectness_1, ...}. Deltas are laid out {@code (anchor,
 * coordinate)} along channels, as torchvision's. Parameter names, relative to {@code rpn.head.}:
 * {@code conv.0.0.weight/bias}, {@code cls_logits.*}, {@code bbox_pred.*}.
 *
 * <pre>{@code
 * RpnHead head = RpnHead.builder().setInChannels(256).setNumAnchors(3).build();
 * }</pre>
 */
public final class RpnHead extends AbstractBlock implements HeadBlock {

  private final int numAnchors;
  private final NamedSequential conv;
  private final Conv2d clsLogits;
  private final Conv2d bboxPred;

  RpnHead(Builder b) {
    this.numAnchors = b.numAnchors;
    NamedSequential convs = new NamedSequential();
    for (int i = 0; i < b.convDepth; i++) {
      convs.add(String.valueOf(i), new NamedSequential()
          .add("0", Conv2d.builder().setInChannels(b.inChannels).setOutChannels(b.inChannels).setKernel(3)
              .optPadding(1).optWeightInit(TorchInit.normal(0.01)).optBiasInit(TorchInit.constant(0)).build())
          .add("1", new Relu()));
    }
    // torchvision's RPNHead: every conv N(0, 0.01), bias 0, so objectness starts near 0.5.
    this.conv = addChildBlock("conv", convs);
    this.clsLogits = addChildBlock("cls_logits",
        Conv2d.builder().setInChannels(b.inChannels).setOutChannels(numAnchors).setKernel(1)
            .optWeightInit(TorchInit.normal(0.01)).optBiasInit(TorchInit.constant(0)).build());
    this.bboxPred = addChildBlock("bbox_pred",
        Conv2d.builder().setInChannels(b.inChannels).setOutChannels(4 * numAnchors).setKernel(1)
            .optWeightInit(TorchInit.normal(0.01)).optBiasInit(TorchInit.constant(0)).build());
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Anchors per location {@code A}. */
  public int numAnchors() {
    return numAnchors;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList out = new NDList();
    for (NDArray level : inputs) {
      NDList t = conv.forward(ps, new NDList(level), training, params);
      out.add(clsLogits.forward(ps, t, training, params).singletonOrThrow());
      out.add(bboxPred.forward(ps, t, training, params).singletonOrThrow());
    }
    return out;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    conv.initialize(manager, dataType, inputShapes[0]);
    Shape t = conv.getOutputShapes(new Shape[] {inputShapes[0]})[0];
    clsLogits.initialize(manager, dataType, t);
    bboxPred.initialize(manager, dataType, t);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    List<Shape> out = new ArrayList<>();
    for (Shape s : inputShapes) {
      out.add(new Shape(s.get(0), numAnchors, s.get(2), s.get(3)));
      out.add(new Shape(s.get(0), 4L * numAnchors, s.get(2), s.get(3)));
    }
    return out.toArray(new Shape[0]);
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    List<String> out = new ArrayList<>();
    // the initializers of shared weights are emitted once; the nodes are repeated per level
    OnnxScope convScope = scope.child("conv");
    OnnxScope clsScope = scope.child("cls_logits");
    OnnxScope boxScope = scope.child("bbox_pred");
    for (int i = 0; i < inputs.size(); i++) {
      List<String> t = List.of(inputs.get(i));
      if (i == 0) {
        t = conv.lower(convScope, t);
        out.add(clsLogits.lower(clsScope, t).get(0));
        out.add(bboxPred.lower(boxScope, t).get(0));
      } else {
        t = reuse(scope, t.get(0));
        out.add(conv1x1(scope, "cls_logits", t.get(0)));
        out.add(conv1x1(scope, "bbox_pred", t.get(0)));
      }
    }
    return out;
  }

  /** The shared 3×3 convolutions again, reading the initializers emitted for the first level. */
  private List<String> reuse(OnnxScope scope, String input) {
    String x = input;
    int depth = conv.getChildren().size();
    for (int i = 0; i < depth; i++) {
      String p = scope.prefix().isEmpty() ? "conv." + i + ".0." : scope.prefix() + ".conv." + i + ".0.";
      x = scope.node("Conv").input(x, p + "weight", p + "bias").attr("kernel_shape", 3L, 3L).attr("strides", 1L, 1L)
          .attr("pads", 1L, 1L, 1L, 1L).output();
      x = scope.node("Relu").input(x).output();
    }
    return List.of(x);
  }

  private static String conv1x1(OnnxScope scope, String name, String input) {
    String p = scope.prefix().isEmpty() ? name + "." : scope.prefix() + "." + name + ".";
    return scope.node("Conv").input(input, p + "weight", p + "bias").attr("kernel_shape", 1L, 1L).output();
  }

  @Override
  public String toString() {
    return "RpnHead(anchors=" + numAnchors + ", " + conv.getChildren().size() + " conv)";
  }

  /** Builder: {@code set*} fields are required, {@code opt*} fields have defaults. */
  public static final class Builder {
    private int inChannels = -1;
    private int numAnchors = -1;
    private int convDepth = 1;

    Builder() {}

    /** Channels of every input level. */
    public Builder setInChannels(int v) {
      inChannels = v;
      return this;
    }

    /** Anchors per location (sizes per level × aspect ratios; 3 in torchvision's Mask R-CNN). */
    public Builder setNumAnchors(int v) {
      numAnchors = v;
      return this;
    }

    /** Shared 3×3 conv + ReLU layers before the predictors (default 1, as torchvision). */
    public Builder optConvDepth(int v) {
      convDepth = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public RpnHead build() {
      validate();
      return new RpnHead(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (inChannels < 1) {
        throw new IllegalArgumentException("inChannels must be set to a value >= 1, got " + inChannels);
      }
      if (numAnchors < 1) {
        throw new IllegalArgumentException("numAnchors must be set to a value >= 1, got " + numAnchors);
      }
      if (convDepth < 1 || convDepth > 8) {
        throw new IllegalArgumentException("convDepth must be in [1, 8], got " + convDepth);
      }
    }
  }
}
