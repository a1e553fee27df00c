package dev.lowlight.backbones;

import dev.lowlight.api.nn.NamedSequential;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.nn.Layouts;
import dev.lowlight.api.nn.MaxPool2d;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.Backbone;
import dev.lowlight.api.spi.DenoiserInsertion;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.structures.ShapeSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ResNet body (He et al. 2016) with torchvision's layout and names, returning the outputs of
 * its four stages {@code res2..res5} (strides 4, 8, 16, 32), with optional denoisers inserted
 * after chosen stages.
 *
 * <p>Parameters: {@code body.conv1.weight}, {@code body.bn1.*}, {@code body.layer1.0.conv1.weight},
 * ..., {@code body.layer2.0.downsample.0.weight}, {@code body.layer2.0.downsample.1.*}; an inserted
 * denoiser's parameters are {@code denoise.<stage>.<its own names>} ({@code
 * denoise.res3.theta.weight}), so the torchvision names are untouched. A denoiser after stage
 * {@code resK} transforms that stage's output, which then feeds both the next stage and the
 * returned feature map (MMDetection's plugin position {@code after_stage}).
 *
 * <pre>{@code
 * ResNet r50 = ResNet.builder().setDepth(50).optTrainableLayers(3).build();
 * r50.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 800, 1088));
 * NDList res2to5 = r50.forward(new ParameterStore(manager, false), new NDList(image), false);
 * }</pre>
 */
public final class ResNet extends AbstractBlock implements Backbone {

  /** The stage names, in order. */
  public static final List<String> STAGES = List.of("res2", "res3", "res4", "res5");

  private final int depth;
  private final boolean frozenNorm;
  private final int trainableLayers;
  private final Body body;
  private final Denoisers denoise;
  private final Map<String, ShapeSpec> outputShape = new LinkedHashMap<>();

  ResNet(Builder b) {
    this.depth = b.depth;
    this.frozenNorm = b.frozenNorm;
    this.trainableLayers = b.trainableLayers;
    this.body = addChildBlock("body", new Body(b.depth, b.frozenNorm));
    this.denoise = addChildBlock("denoise", new Denoisers());
    int[] channels = body.stageChannels();
    for (int i = 0; i < STAGES.size(); i++) {
      String stage = STAGES.get(i);
      outputShape.put(stage, new ShapeSpec(channels[i], 4 << i));
      if (b.insertion.after(stage)) {
        denoise.put(stage, b.insertion.factory().apply(channels[i]));
      }
    }
    for (String stage : b.insertion.stages()) {
      if (!STAGES.contains(stage)) {
        throw new ConfigException("denoise.stages", "stage '" + stage + "' is not one of this backbone's " + STAGES);
      }
    }
    freezeLayers();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** 18, 34, 50 or 101. */
  public int depth() {
    return depth;
  }

  /** The stages after which a denoiser runs. */
  public List<String> denoisedStages() {
    return List.copyOf(denoise.byStage.keySet());
  }

  /**
   * Freezes the body as torchvision's {@code trainable_layers} does: the last {@code n} of {@code
   * layer4, layer3, layer2, layer1, conv1} train (and {@code bn1} with all 5); denoisers always
   * train.
   */
  private void freezeLayers() {
    List<String> order = List.of("layer4", "layer3", "layer2", "layer1", "conv1");
    List<String> train = new ArrayList<>(order.subList(0, trainableLayers));
    if (trainableLayers == 5) {
      train.add("bn1");
    }
    for (Map.Entry<String, Parameter> e : TorchNames.parameters(body).entrySet()) {
      boolean trains = train.stream().anyMatch(e.getKey()::startsWith);
      if (!trains) {
        e.getValue().freeze(true);
      }
    }
  }

  @Override
  public Map<String, ShapeSpec> outputShape() {
    return java.util.Collections.unmodifiableMap(outputShape);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    if (x.getShape().dimension() != 4 || x.getShape().get(1) != 3) {
      throw new IllegalArgumentException("ResNet-" + depth + " expects an N×3×H×W image batch, got " + x.getShape());
    }
    x = body.stem(ps, x, training);
    NDList out = new NDList();
    for (int i = 0; i < STAGES.size(); i++) {
      x = Layers.run(body.layers.get(i), ps, x, training);
      Block d = denoise.byStage.get(STAGES.get(i));
      if (d != null) {
        x = runDenoiser(STAGES.get(i), d, ps, x, training);
      }
      out.add(x);
    }
    return out;
  }

  private static NDArray runDenoiser(String stage, Block d, ParameterStore ps, NDArray x, boolean training) {
    try {
      // Whatever layout a plugin returns, the next stage's 1x1 convolutions get a dense input.
      return Layouts.dense(Layers.run(d, ps, x, training));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException("denoiser after " + stage + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    Shape[] out = new Shape[STAGES.size()];
    long h = in.get(2);
    long w = in.get(3);
    for (int i = 0; i < out.length; i++) {
      // Every stride-2 step of the body maps a side s to ceil(s / 2).
      int steps = i + 2;
      long hh = h;
      long ww = w;
      for (int k = 0; k < steps; k++) {
        hh = (hh + 1) / 2;
        ww = (ww + 1) / 2;
      }
      out[i] = new Shape(in.get(0), body.stageChannels()[i], hh, ww);
    }
    return out;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    body.initialize(manager, dataType, inputShapes);
    denoise.initialize(manager, dataType, getOutputShapes(inputShapes));
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    OnnxScope b = scope.child("body");
    String x = body.lowerStem(b, inputs.get(0));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < STAGES.size(); i++) {
      x = Layers.lower(body.layers.get(i), b, "layer" + (i + 1), x);
      Block d = denoise.byStage.get(STAGES.get(i));
      if (d != null) {
        x = Layers.lower(d, scope.child("denoise"), STAGES.get(i), x);
      }
      out.add(x);
    }
    return out;
  }

  @Override
  public String toString() {
    return "ResNet-" + depth + (frozenNorm ? " (frozen BN)" : " (BN)") + ", trainable_layers=" + trainableLayers
        + (denoise.byStage.isEmpty() ? "" : ", denoise " + denoise.byStage.keySet());
  }

  /** torchvision's {@code ResNet} without {@code avgpool} and {@code fc}: the stem and four stages. */
  static final class Body extends AbstractBlock {
    private final Block conv1;
    private final Block bn1;
    private final MaxPool2d maxpool = MaxPool2d.builder().setKernel(3).optStride(2).optPadding(1).build();
    private final List<NamedSequential> layers = new ArrayList<>();
    private final int[] stageChannels = new int[4];

    Body(int depth, boolean frozenNorm) {
      int[] blocks = switch (depth) {
        case 18 -> new int[] {2, 2, 2, 2};
        case 34, 50 -> new int[] {3, 4, 6, 3};
        case 101 -> new int[] {3, 4, 23, 3};
        default -> throw new IllegalArgumentException("depth must be 18, 34, 50 or 101, got " + depth);
      };
      boolean bottleneck = depth >= 50;
      // reads the image, whose gradient no one needs
      conv1 = addChildBlock("conv1", Layers.convBuilder(3, 64, 7, 2, 3, false).optInputGradient(false).build());
      bn1 = addChildBlock("bn1", Layers.norm(frozenNorm, 64));
      int in = 64;
      for (int s = 0; s < 4; s++) {
        NamedSequential layer = new NamedSequential();
        for (int k = 0; k < blocks[s]; k++) {
          ResidualBlock unit = new ResidualBlock(bottleneck, in, 64 << s, k == 0 && s > 0 ? 2 : 1, frozenNorm);
          layer.add(unit);
          in = unit.outChannels();
        }
        stageChannels[s] = in;
        layers.add(addChildBlock("layer" + (s + 1), layer));
      }
    }

    int[] stageChannels() {
      return stageChannels.clone();
    }

    NDArray stem(ParameterStore ps, NDArray x, boolean training) {
      NDArray y = Activation.relu(Layers.run(bn1, ps, Layers.run(conv1, ps, x, training), training));
      return Layers.run(maxpool, ps, y, training);
    }

    String lowerStem(OnnxScope scope, String x) {
      String y = Layers.relu(scope, Layers.lower(bn1, scope, "bn1", Layers.lower(conv1, scope, "conv1", x)));
      return maxpool.lower(scope, List.of(y)).get(0);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
      NDArray x = stem(ps, inputs.singletonOrThrow(), training);
      NDList out = new NDList();
      for (NamedSequential layer : layers) {
        x = Layers.run(layer, ps, x, training);
        out.add(x);
      }
      return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape s = maxpool.getOutputShapes(conv1.getOutputShapes(inputShapes))[0];
      Shape[] out = new Shape[4];
      for (int i = 0; i < 4; i++) {
        s = layers.get(i).getOutputShapes(new Shape[] {s})[0];
        out[i] = s;
      }
      return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      conv1.initialize(manager, dataType, inputShapes);
      Shape s = conv1.getOutputShapes(inputShapes)[0];
      bn1.initialize(manager, dataType, s);
      s = maxpool.getOutputShapes(new Shape[] {s})[0];
      for (NamedSequential layer : layers) {
        layer.initialize(manager, dataType, s);
        s = layer.getOutputShapes(new Shape[] {s})[0];
      }
    }
  }

  /** Holds the inserted denoisers under their stage names; runs nothing by itself. */
  static final class Denoisers extends AbstractBlock {
    private final Map<String, DenoisingBlock> byStage = new LinkedHashMap<>();

    void put(String stage, DenoisingBlock block) {
      byStage.put(stage, addChildBlock(stage, block));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
      throw new UnsupportedOperationException("denoisers run inside ResNet's forward, after their stage");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }

    /** {@code inputShapes}: the four stage outputs, each block initialised with its stage's. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      byStage.forEach((stage, block) -> block.initialize(manager, dataType, inputShapes[STAGES.indexOf(stage)]));
    }
  }

  /** Builder: {@code setDepth} is required. */
  public static final class Builder {
    private int depth = -1;
    private boolean frozenNorm = true;
    private int trainableLayers = 3;
    private DenoiserInsertion insertion = DenoiserInsertion.NONE;

    Builder() {}

    /** 18, 34, 50 or 101. */
    public Builder setDepth(int v) {
      depth = v;
      return this;
    }

    /** Frozen batch norm (default, for fine-tuning) or trainable batch norm (training from scratch). */
    public Builder optFrozenNorm(boolean v) {
      frozenNorm = v;
      return this;
    }

    /** How many of {@code layer4, layer3, layer2, layer1, conv1} train, 0..5 (default 3, torchvision's). */
    public Builder optTrainableLayers(int v) {
      trainableLayers = v;
      return this;
    }

    /** Denoisers to insert (default none). */
    public Builder optDenoisers(DenoiserInsertion v) {
      insertion = v;
      return this;
    }

    /** Builds the backbone after {@link #validate()}. */
    public ResNet build() {
      validate();
      return new ResNet(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (depth != 18 && depth != 34 && depth != 50 && depth != 101) {
        throw new IllegalArgumentException("depth must be 18, 34, 50 or 101, got " + depth);
      }
      if (trainableLayers < 0 || trainableLayers > 5) {
        throw new IllegalArgumentException("trainableLayers must be in [0, 5], got " + trainableLayers);
      }
      if (insertion == null) {
        throw new IllegalArgumentException("denoisers must not be null; use DenoiserInsertion.NONE");
      }
    }
  }
}
