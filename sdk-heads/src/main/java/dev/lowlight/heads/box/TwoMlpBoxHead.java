package dev.lowlight.heads.box;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.Linear;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.heads.ops.Flatten;
import dev.lowlight.heads.ops.NamedParallel;
import dev.lowlight.api.nn.NamedSequential;
import dev.lowlight.api.nn.Relu;
import java.util.List;

/**
 * torchvision's {@code TwoMLPHead} plus {@code FastRCNNPredictor}: pooled features {@code
 * R×C×P×P} are flattened, go through {@code fc6} and {@code fc7} (each followed by ReLU), then to
 * class logits {@code R×K} ({@code cls_score}) and per-class box deltas {@code R×4K} ({@code
 * bbox_pred}, laid out {@code (class, coordinate)}). Parameter names, relative to {@code
 * roi_heads.}: {@code box_head.fc6.*}, {@code box_head.fc7.*}, {@code box_predictor.cls_score.*},
 * {@code box_predictor.bbox_pred.*}.
 *
 * <pre>{@code
 * TwoMlpBoxHead head = TwoMlpBoxHead.builder().setInChannels(256).setNumClasses(91).build();
 * }</pre>
 */
public final class TwoMlpBoxHead extends AbstractBlock implements HeadBlock {

  private final int poolSize;
  private final int inChannels;
  private final int numClasses;
  private final NamedSequential boxHead;
  private final Linear clsScore;
  private final NamedParallel boxPredictor;

  TwoMlpBoxHead(Builder b) {
    this.poolSize = b.poolSize;
    this.inChannels = b.inChannels;
    this.numClasses = b.numClasses;
    this.boxHead = addChildBlock("box_head", new NamedSequential()
        .add("flatten", new Flatten())
        .add("fc6", Linear.builder().setInFeatures(b.inChannels * b.poolSize * b.poolSize)
            .setOutFeatures(b.representationSize).build())
        .add("relu6", new Relu())
        .add("fc7", Linear.builder().setInFeatures(b.representationSize).setOutFeatures(b.representationSize).build())
        .add("relu7", new Relu()));
    this.clsScore = Linear.builder().setInFeatures(b.representationSize).setOutFeatures(numClasses).build();
    this.boxPredictor = addChildBlock("box_predictor", new NamedParallel().add("cls_score", clsScore)
        .add("bbox_pred", Linear.builder().setInFeatures(b.representationSize).setOutFeatures(4 * numClasses)
            .build()));
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
    Shape s = inputs.singletonOrThrow().getShape();
    if (s.dimension() != 4 || s.get(1) != inChannels || s.get(2) != poolSize || s.get(3) != poolSize) {
      throw new IllegalArgumentException("box head expects R×" + inChannels + "×" + poolSize + "×" + poolSize
          + " pooled features, got " + s);
    }
    return boxPredictor.forward(ps, boxHead.forward(ps, inputs, training, params), training, params);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    boxHead.initialize(manager, dataType, inputShapes);
    boxPredictor.initialize(manager, dataType, boxHead.getOutputShapes(inputShapes));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long r = inputShapes[0].get(0);
    return new Shape[] {new Shape(r, numClasses), new Shape(r, 4L * numClasses)};
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    return boxPredictor.lower(scope.child("box_predictor"), boxHead.lower(scope.child("box_head"), inputs));
  }

  @Override
  public String toString() {
    return "TwoMlpBoxHead(" + inChannels + "x" + poolSize + "x" + poolSize + " -> " + clsScore.inFeatures()
        + ", classes=" + numClasses + ")";
  }

  /** Builder: {@code set*} fields are required, {@code opt*} fields have defaults. */
  public static final class Builder {
    private int inChannels = -1;
    private int numClasses = -1;
    private int poolSize = 7;
    private int representationSize = 1024;

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

    /** Side of the pooled features (default 7). */
    public Builder optPoolSize(int v) {
      poolSize = v;
      return this;
    }

    /** Width of fc6 and fc7 (default 1024). */
    public Builder optRepresentationSize(int v) {
      representationSize = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public TwoMlpBoxHead build() {
      validate();
      return new TwoMlpBoxHead(this);
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
      if (poolSize < 1) {
        throw new IllegalArgumentException("poolSize must be >= 1, got " + poolSize);
      }
      if (representationSize < 1) {
        throw new IllegalArgumentException("representationSize must be >= 1, got " + representationSize);
      }
    }
  }
}
