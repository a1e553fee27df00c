package dev.lowlight.denoise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.BatchNorm2d;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.nn.MaxPool2d;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.DenoisingBlock;
import java.util.List;

/**
 * What the non-local block and the weighted non-local block share: the embeddings {@code theta},
 * {@code phi}, {@code g} (1x1 convolutions {@code C → C/2} with bias; {@code theta} and {@code phi}
 * absent in {@link NonLocalMode#GAUSSIAN} mode), the chunked attention, and the output projection
 * {@code w_z} (1x1 convolution {@code C/2 → C}, no bias since a batch norm follows) with its batch
 * norm {@code bn}, whose scale and shift start at 0. Subclasses combine the branch {@code
 * BN(W_z y)} with the input. {@code W_z} starts random (PyTorch's default) or, as the wNLB
 * authors' code does, zero ({@link ProjectionInit}, option {@code w_z_init}).
 *
 * <p>Parameter names, relative to the block: {@code theta.weight}, {@code theta.bias}, {@code
 * phi.*}, {@code g.*}, {@code w_z.weight}, {@code bn.weight}, {@code bn.bias}, {@code
 * bn.running_mean}, {@code bn.running_var}.
 *
 * <p>The biases of {@code phi} and {@code g} are kept for checkpoint compatibility with the usual
 * PyTorch implementations, but in embedded-Gaussian mode they cannot change the output during
 * training: φ's bias shifts every logit of a query row equally (the softmax ignores it), and g's
 * bias adds a per-channel constant that the batch norm removes. Their gradients are therefore zero
 * up to rounding; every other trainable parameter learns.
 */
public abstract class AbstractNonLocalBlock extends AbstractBlock implements DenoisingBlock {

  /** Default memory budget of the affinity working set: 512 MiB. */
  public static final long DEFAULT_BUDGET_BYTES = 512L << 20;

  /** Default most memory the affinity kept for the backward pass may take in training: 4 GiB. */
  public static final long DEFAULT_TRAINING_BYTES = 4096L << 20;

  private final int channels;
  private final int inner;
  private final NonLocalMode mode;
  private final boolean scaled;
  private final boolean subSample;
  private final long budgetBytes;
  private final long trainingBytes;
  private final ProjectionInit projectionInit;
  private final Conv2d theta;
  private final Conv2d phi;
  private final Conv2d g;
  private final Conv2d wz;
  private final BatchNorm2d bn;
  private final MaxPool2d pool = MaxPool2d.builder().setKernel(2).build();

  AbstractNonLocalBlock(BaseBuilder<?> b) {
    this.channels = b.channels;
    this.inner = Math.max(1, b.channels / 2);
    this.mode = b.mode;
    this.scaled = b.scaled;
    this.subSample = b.subSample;
    this.budgetBytes = b.budgetBytes;
    this.trainingBytes = b.trainingBytes;
    this.projectionInit = b.projectionInit;
    this.theta = mode.embedded() ? addChildBlock("theta", conv1x1(channels, inner, true).build()) : null;
    this.phi = mode.embedded() ? addChildBlock("phi", conv1x1(channels, inner, true).build()) : null;
    this.g = addChildBlock("g", conv1x1(channels, inner, true).build());
    Conv2d.Builder projection = conv1x1(inner, channels, false);
    if (projectionInit == ProjectionInit.ZERO) {
      projection.optWeightInit(new ConstantInitializer(0f));
    }
    this.wz = addChildBlock("w_z", projection.build());
    this.bn = addChildBlock("bn", BatchNorm2d.builder().setChannels(channels).optInitialWeight(0f)
        .optInitialBias(0f).build());
  }

  private static Conv2d.Builder conv1x1(int in, int out, boolean bias) {
    return Conv2d.builder().setInChannels(in).setOutChannels(out).setKernel(1).optBias(bias);
  }

  /** Input and output channels. */
  public int channels() {
    return channels;
  }

  /** Channels of the embeddings, {@code max(1, C/2)}. */
  public int innerChannels() {
    return inner;
  }

  /** The pairwise function. */
  public NonLocalMode mode() {
    return mode;
  }

  /** The working-set budget of the affinity, in bytes. */
  public long budgetBytes() {
    return budgetBytes;
  }

  /** How {@code W_z} starts. */
  public ProjectionInit projectionInit() {
    return projectionInit;
  }

  /** The output batch norm, whose scale starts at 0. */
  public BatchNorm2d outputNorm() {
    return bn;
  }

  private float logitScale() {
    return mode == NonLocalMode.GAUSSIAN && scaled ? (float) (1.0 / Math.sqrt(channels)) : 1f;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    if (s.dimension() != 4 || s.get(1) != channels) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " built for " + channels
          + " channels expects N×" + channels + "×H×W input, got " + s);
    }
    long n = s.get(0);
    long h = s.get(2);
    long w = s.get(3);
    if (subSample && (h < 2 || w < 2)) {
      throw new IllegalArgumentException("sub-sampling needs feature maps of at least 2x2, got " + h + "x" + w);
    }
    if (training) {
      checkTrainingMemory(n, h, w, subSample ? (h / 2) * (w / 2) : h * w);
    }
    NDArray q = mode.embedded() ? theta.forward(ps, inputs, training).head() : x;
    NDArray key = mode.embedded() ? phi.forward(ps, inputs, training).head() : x;
    NDArray value = g.forward(ps, inputs, training).head();
    if (subSample) {
      key = pool.forward(ps, new NDList(key), training).head();
      value = pool.forward(ps, new NDList(value), training).head();
    }
    long qc = q.getShape().get(1);
    NDArray thetaT = q.reshape(n, qc, h * w).transpose(0, 2, 1);
    NDArray phiF = key.reshape(n, qc, -1);
    NDArray gT = value.reshape(n, inner, -1).transpose(0, 2, 1);
    NDArray y = NonLocalAttention.attend(thetaT, phiF, gT, mode, logitScale(), budgetBytes);
    NDArray yMap = y.transpose(0, 2, 1).reshape(n, inner, h, w);
    NDArray branch = bn.forward(ps, wz.forward(ps, new NDList(yMap), training), training).head();
    return new NDList(combine(ps, x, branch, training));
  }

  /**
   * Refuses, before anything is allocated, a training forward whose affinity would not fit: chunking
   * bounds the forward's working set, but autograd keeps every chunk's softmax until the backward
   * pass, so training holds all {@code N·P·K} of them at once (at res2 of an 800x1067 image, 2
   * images padded to 800x1088: 2·54,400² floats, 22 GiB).
   */
  private void checkTrainingMemory(long n, long h, long w, long keys) {
    long queries = h * w;
    double bytes = (double) n * queries * keys * Float.BYTES;
    if (bytes > trainingBytes) {
      throw new IllegalStateException(String.format(java.util.Locale.ROOT,
          "%s (%d channels) on %d feature map(s) of %dx%d = %d positions: training keeps the %d×%d affinity of each for"
              + " the backward pass, %.1f GiB, over the limit of %.1f GiB (option training_memory_mb); use"
              + " sub_sample: true (4x fewer keys), a smaller input size, a later stage, or raise the limit where"
              + " the memory exists", getClass().getSimpleName(), channels, n, h, w, queries, queries, keys,
          bytes / (1L << 30), trainingBytes / (double) (1L << 30)));
    }
  }

  /** The output from the input {@code x} and the branch {@code BN(W_z y)}, both {@code N×C×H×W}. */
  abstract NDArray combine(ParameterStore ps, NDArray x, NDArray branch, boolean training);

  /** Emits {@link #combine} into {@code scope}. */
  abstract String lowerCombine(OnnxScope scope, String x, String branch);

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    if (theta != null) {
      theta.initialize(manager, dataType, in);
      phi.initialize(manager, dataType, in);
    }
    g.initialize(manager, dataType, in);
    Shape inner4 = new Shape(in.get(0), inner, in.get(2), in.get(3));
    wz.initialize(manager, dataType, inner4);
    bn.initialize(manager, dataType, in);
  }

  /**
   * The plain MatMul/Softmax form over the whole affinity (ONNX Runtime has no memory budget to
   * respect here; the fused contrib attention op is not used).
   */
  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    String x = inputs.get(0);
    String q = mode.embedded() ? theta.lower(scope.child("theta"), inputs).get(0) : x;
    String key = mode.embedded() ? phi.lower(scope.child("phi"), inputs).get(0) : x;
    String value = g.lower(scope.child("g"), inputs).get(0);
    if (subSample) {
      key = pool.lower(scope, List.of(key)).get(0);
      value = pool.lower(scope, List.of(value)).get(0);
    }
    long qc = mode.embedded() ? inner : channels;
    String thetaT = transpose(scope, scope.node("Reshape").input(q, scope.longs(0, qc, -1)).output());
    String phiF = scope.node("Reshape").input(key, scope.longs(0, qc, -1)).output();
    String gT = transpose(scope, scope.node("Reshape").input(value, scope.longs(0, inner, -1)).output());
    String logits = scope.node("MatMul").input(thetaT, phiF).output();
    String affinity;
    if (mode == NonLocalMode.DOT_PRODUCT) {
      String keys = scope.node("Gather").input(scope.node("Shape").input(phiF).output(), scope.scalar(2L))
          .attr("axis", 0L).output();
      String keysF = scope.node("Cast").input(keys).attr("to", 1L).output();
      affinity = scope.node("Div").input(logits, keysF).output();
    } else {
      float ls = logitScale();
      String scaledLogits = ls == 1f ? logits : scope.node("Mul").input(logits, scope.scalar(ls)).output();
      affinity = scope.node("Softmax").input(scaledLogits).attr("axis", -1L).output();
    }
    String y = transpose(scope, scope.node("MatMul").input(affinity, gT).output());
    String xShape = scope.node("Shape").input(x).output();
    String nPart = scope.node("Slice").input(xShape, scope.longs(0), scope.longs(1)).output();
    String hwPart = scope.node("Slice").input(xShape, scope.longs(2), scope.longs(4)).output();
    String target = scope.node("Concat").input(nPart, scope.longs(inner), hwPart).attr("axis", 0L).output();
    String yMap = scope.node("Reshape").input(y, target).output();
    String proj = wz.lower(scope.child("w_z"), List.of(yMap)).get(0);
    String branch = bn.lower(scope.child("bn"), List.of(proj)).get(0);
    return List.of(lowerCombine(scope, x, branch));
  }

  private static String transpose(OnnxScope scope, String v) {
    return scope.node("Transpose").input(v).attr("perm", 0, 2, 1).output();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + channels + ", mode=" + mode.configName() + (subSample ? ", sub-sample" : "")
        + ")";
  }

  /**
   * Builder fields shared by the non-local blocks: {@code setChannels} is required.
   *
   * @param <B> the concrete builder
   */
  public abstract static class BaseBuilder<B extends BaseBuilder<B>> {
    int channels = -1;
    NonLocalMode mode = NonLocalMode.EMBEDDED_GAUSSIAN;
    boolean scaled;
    boolean subSample;
    long budgetBytes = DEFAULT_BUDGET_BYTES;
    long trainingBytes = DEFAULT_TRAINING_BYTES;
    ProjectionInit projectionInit = ProjectionInit.RANDOM;

    BaseBuilder() {}

    abstract B self();

    /** Input and output channels, at least 1. */
    public B setChannels(int v) {
      channels = v;
      return self();
    }

    /** The pairwise function (default embedded Gaussian). */
    public B optMode(NonLocalMode v) {
      mode = v;
      return self();
    }

    /** In Gaussian mode, divide the logits by {@code sqrt(C)} (default false). */
    public B optScaled(boolean v) {
      scaled = v;
      return self();
    }

    /** Max-pool φ and g by 2x2 before the attention (default false). */
    public B optSubSample(boolean v) {
      subSample = v;
      return self();
    }

    /** Working-set budget of the affinity in bytes (default 512 MiB); at least 1 KiB. */
    public B optMemoryBudgetBytes(long v) {
      budgetBytes = v;
      return self();
    }

    /**
     * Most bytes the affinity kept for the backward pass may take in a training forward (default 4
     * GiB); a larger feature map is refused with an error naming the sizes. At least 1 KiB.
     */
    public B optTrainingMemoryBytes(long v) {
      trainingBytes = v;
      return self();
    }

    /** How the output projection {@code W_z} starts (default {@link ProjectionInit#RANDOM}). */
    public B optProjectionInit(ProjectionInit v) {
      projectionInit = v;
      return self();
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (channels < 1) {
        throw new IllegalArgumentException("channels must be set to a value >= 1, got " + channels);
      }
      if (mode == null) {
        throw new IllegalArgumentException("mode must not be null; valid: " + NonLocalMode.configNames());
      }
      if (budgetBytes < 1024) {
        throw new IllegalArgumentException("memoryBudgetBytes must be >= 1024, got " + budgetBytes);
      }
      if (projectionInit == null) {
        throw new IllegalArgumentException("projectionInit must not be null; valid: " + ProjectionInit.configNames());
      }
      if (trainingBytes < 1024) {
        throw new IllegalArgumentException("trainingMemoryBytes must be >= 1024, got " + trainingBytes);
      }
    }
  }
}
