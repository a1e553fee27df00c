package dev.lowlight.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.config.BoundPlugin;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.config.ResolvedPlugins;
import dev.lowlight.api.nn.StrayArrays;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.Backbone;
import dev.lowlight.api.spi.BackboneContext;
import dev.lowlight.api.spi.DenoiserInsertion;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.api.spi.HeadContext;
import dev.lowlight.api.spi.Neck;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.api.structures.ShapeSpec;
import dev.lowlight.data.transform.DetectionTransform;
import dev.lowlight.api.onnx.GraphOps;
import dev.lowlight.api.onnx.OnnxGraphBuilder;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.data.loading.TrainingTarget;
import dev.lowlight.heads.ops.Detections;
import dev.lowlight.heads.targets.Sampling;
import dev.lowlight.model.roi.RoiHeads;
import dev.lowlight.model.rpn.RegionProposalNetwork;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mask R-CNN assembled from plugins named in a {@link ModelConfig}: backbone (with the configured
 * denoisers inside), neck, RPN head, box head and mask head, with torchvision's image transform,
 * anchors, proposal selection, multi-scale RoIAlign and post-processing between them.
 *
 * <p>Parameters are named as torchvision's {@code maskrcnn_resnet50_fpn} ({@code
 * backbone.body.layer1.0.conv1.weight}, {@code backbone.fpn.inner_blocks.0.0.weight}, {@code
 * rpn.head.conv.0.0.weight}, {@code roi_heads.box_predictor.cls_score.weight}, ...); inserted
 * denoisers are the only extra names ({@code backbone.denoise.res3.*}).
 *
 * <pre>{@code
 * try (NDManager manager = NDManager.newBaseManager()) {
 *   MaskRcnn model = MaskRcnn.builder().setConfig(config).build();
 *   model.initialize(manager);
 *   Predictions p = model.predict(image);
 * }
 * }</pre>
 */
public final class MaskRcnn {

  private static final Logger LOG = LoggerFactory.getLogger(MaskRcnn.class);

  /** Side of the square image used to initialise parameter shapes (any size works). */
  private static final int INIT_SIZE = 64;

  private final ModelConfig config;
  private final PluginRegistry registry;
  private final Map<String, BoundPlugin> plugins;
  private final Backbone backbone;
  private final Neck neck;
  private final RegionProposalNetwork rpn;
  private final RoiHeads roiHeads;
  private final NamedBlocks root = new NamedBlocks();
  private final DetectionTransform transform;
  private NDManager manager;

  private MaskRcnn(ModelConfig config, PluginRegistry registry) {
    this.config = config;
    this.registry = registry;
    ResolvedPlugins resolved = ResolvedPlugins.resolve(config, registry);
    this.plugins = resolved.byPath();
    DenoiserInsertion insertion = DenoiserInsertion.NONE;
    if (config.denoise().enabled()) {
      insertion = new DenoiserInsertion(resolved.denoiser().descriptor().name(), config.denoise().stages(),
          resolved::createDenoiser);
    }
    // the backbone checks denoise.stages against its own insertion points (a ConfigException)
    this.backbone = resolved.createBackbone(new BackboneContext(insertion));
    this.neck = resolved.createNeck(backbone.outputShape());
    Map<String, ShapeSpec> levels = neck.outputShape();
    HeadContext heads = new HeadContext(levels, config.numClasses());
    HeadBlock rpnHead = resolved.createRpnHead(heads);
    Map<String, ShapeSpec> pooled = roiLevels(levels);
    HeadBlock boxHead = resolved.createBoxHead(new HeadContext(pooled, config.numClasses()));
    HeadBlock maskHead = resolved.createMaskHead(new HeadContext(pooled, config.numClasses()));

    this.rpn = new RegionProposalNetwork(rpnHead, config.rpn());
    if (rpn.anchors().levels() != levels.size()) {
      throw new ConfigException("rpn.anchor_sizes", "has " + rpn.anchors().levels() + " levels but the neck gives "
          + levels.size() + " feature maps " + levels.keySet());
    }
    this.roiHeads = new RoiHeads(boxHead, maskHead, config.roiHeads(), config.numClasses(),
        pooled.values().stream().mapToInt(ShapeSpec::stride).toArray());
    var t = config.transform();
    this.transform = DetectionTransform.of(t.minSize(), t.maxSize(), t.imageMean(), t.imageStd(), t.sizeDivisible());

    root.add("backbone", new NamedBlocks().add("", backbone).add("fpn", neck));
    root.add("rpn", new NamedBlocks().add("head", rpnHead));
    root.add("roi_heads", new NamedBlocks().add("", boxHead).add("", maskHead));
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configuration the model was built from. */
  public ModelConfig config() {
    return config;
  }

  /** The plugins in use, by their path in the configuration. */
  public Map<String, BoundPlugin> plugins() {
    return plugins;
  }

  /** The block tree whose parameter names are torchvision's, for loading and saving weights. */
  public Block parameters() {
    return root;
  }

  /** The backbone (with its denoisers). */
  public Backbone backbone() {
    return backbone;
  }

  /** The region proposal stage: RPN head, anchors, proposal selection, RPN losses. */
  public RegionProposalNetwork rpn() {
    return rpn;
  }

  /** The RoI stage: pooling, box and mask heads, post-processing, their losses. */
  public RoiHeads roiHeads() {
    return roiHeads;
  }

  /** The neck (FPN) between the backbone and the heads. */
  public Neck neck() {
    return neck;
  }

  /** The image transform in front of the network. */
  public DetectionTransform transform() {
    return transform;
  }

  /**
   * Creates every parameter in {@code manager} (which must outlive the model) with each block's
   * own initialisation.
   */
  public MaskRcnn initialize(NDManager manager) {
    this.manager = manager;
    Shape image = new Shape(1, 3, INIT_SIZE, INIT_SIZE);
    backbone.initialize(manager, DataType.FLOAT32, image);
    Shape[] features = backbone.getOutputShapes(new Shape[] {image});
    neck.initialize(manager, DataType.FLOAT32, features);
    Shape[] levels = neck.getOutputShapes(features);
    rpn.head().initialize(manager, DataType.FLOAT32, levels);
    long channels = levels[0].get(1);
    int box = config.roiHeads().boxPoolSize();
    int mask = config.roiHeads().maskPoolSize();
    roiHeads.boxHead().initialize(manager, DataType.FLOAT32, new Shape(1, channels, box, box));
    roiHeads.maskHead().initialize(manager, DataType.FLOAT32, new Shape(1, channels, mask, mask));
    LOG.info("Mask R-CNN: backbone {}, denoiser {}, neck {}, heads {}/{}/{}, {} classes", name("backbone"),
        config.denoise().enabled() ? name("denoise") + " after " + config.denoise().stages() : "none", name("neck"),
        name("rpn.head"), name("roi_heads.box_head"), name("roi_heads.mask_head"), config.numClasses());
    return this;
  }

  /**
   * A copy of this model on {@code manager}'s device: the same configuration and plugins, every
   * parameter (running statistics included) copied by name, gradient flags as here. Data-parallel
   * training keeps one replica per device.
   *
   * @param manager where the copy's parameters live (it must outlive the copy)
   */
  public MaskRcnn replicate(NDManager manager) {
    if (this.manager == null) {
      throw new IllegalStateException("call initialize(manager) (or load weights) before replicating the model");
    }
    MaskRcnn copy = new MaskRcnn(config, registry).initialize(manager);
    var mine = root.getParameters();
    var theirs = copy.root.getParameters();
    for (int i = 0; i < mine.size(); i++) {
      if (!mine.keyAt(i).equals(theirs.keyAt(i))) {
        throw new IllegalStateException("replica parameter " + i + " is " + theirs.keyAt(i) + ", expected "
            + mine.keyAt(i) + ": a plugin builds different blocks from the same configuration");
      }
      NDArray source = mine.valueAt(i).getArray();
      NDArray target = theirs.valueAt(i).getArray();
      NDArray moved = source.toDevice(target.getDevice(), false);
      try {
        target.setRequiresGradient(false); // an in-place write to a leaf that autograd tracks is refused
        target.set(new NDIndex("..."), moved);
        target.setRequiresGradient(source.hasGradient());
      } finally {
        if (moved != source) {
          moved.close();
        }
      }
    }
    return copy;
  }

  /**
   * Eager inference on one image (RGB in [0, 1]). One call at a time per model: calls from several
   * threads run one after the other (for concurrent serving, export and use {@code sdk-runtime}).
   */
  public Predictions predict(RgbImage image) {
    return predict(image, StageClock.NONE);
  }

  /** {@link #predict(RgbImage)}, telling {@code clock} where each stage ends (the eager benchmark). */
  public synchronized Predictions predict(RgbImage image, StageClock clock) {
    // strays: results of operations that start from a parameter land in the parameters' manager
    try (NDManager m = requireManager("predict").newSubManager(); StrayArrays strays = StrayArrays.watch(manager)) {
      ParameterStore ps = new ParameterStore(m, false);
      Proposed p = propose(m, ps, image, clock);
      DetectionTransform.Prepared prepared = p.prepared();
      RoiHeads.Detected d = roiHeads.detect(ps, p.levels(), p.rpn().proposals().get(0).boxes(),
          prepared.resizedHeight(), prepared.resizedWidth(), clock);
      Detections det = d.detections();
      float[] boxes = det.boxes().clone();
      DetectionTransform.toOriginal(boxes, prepared);
      long[] labels = new long[det.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = det.labels()[i];
      }
      return new Predictions(image.width(), image.height(), boxes, labels, det.scores().clone(), d.masks(),
          d.maskSide());
    }
  }

  /** What inference computes up to the proposals. */
  private record Proposed(DetectionTransform.Prepared prepared, NDList levels, RegionProposalNetwork.Proposals rpn) {}

  private Proposed propose(NDManager m, ParameterStore ps, RgbImage image, StageClock clock) {
    DetectionTransform.Prepared p = transform.prepare(image);
    NDArray x = m.create(p.chw(), new Shape(1, 3, p.paddedHeight(), p.paddedWidth()));
    clock.lap("transform");
    NDList features = backbone.forward(ps, new NDList(x), false);
    clock.lap("backbone");
    NDList levels = neck.forward(ps, features, false);
    clock.lap("fpn");
    RegionProposalNetwork.Proposals proposals = rpn.propose(ps, levels, p.paddedHeight(), p.paddedWidth(),
        new int[][] {{p.resizedHeight(), p.resizedWidth()}});
    clock.lap("rpn");
    return new Proposed(p, levels, proposals);
  }

  /**
   * The intermediate outputs of one image, for stage-by-stage comparison with a reference
   * implementation (the parity tests) and for debugging: the same steps as {@link
   * #predict(RgbImage)} up to the box head, which runs on {@code proposals} when given, so that its
   * logits can be compared on the reference's proposals.
   *
   * @param image the input image (RGB in [0, 1])
   * @param proposals xyxy boxes in resized-image pixels to run the box head on, or {@code null}
   *     for the model's own proposals
   */
  public synchronized Stages stages(RgbImage image, float[] proposals) {
    try (NDManager m = requireManager("stages").newSubManager(); StrayArrays strays = StrayArrays.watch(manager)) {
      ParameterStore ps = new ParameterStore(m, false);
      Proposed p = propose(m, ps, image, StageClock.NONE);
      List<float[]> features = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      for (NDArray level : p.levels()) {
        features.add(level.toFloatArray());
        shapes.add(level.getShape().getShape());
      }
      NDList head = p.rpn().headOutputs();
      List<float[]> objectness = new ArrayList<>();
      List<float[]> deltas = new ArrayList<>();
      for (int i = 0; i < head.size(); i += 2) {
        objectness.add(head.get(i).toFloatArray());
        deltas.add(head.get(i + 1).toFloatArray());
      }
      Detections own = p.rpn().proposals().get(0);
      float[] boxes = proposals == null ? own.boxes() : proposals;
      float[] logits = new float[0];
      float[] regression = new float[0];
      if (boxes.length > 0) {
        NDList box = roiHeads.boxOutputs(ps, p.levels(), boxes, StageClock.NONE);
        logits = box.get(0).toFloatArray();
        regression = box.get(1).toFloatArray();
      }
      return new Stages(p.prepared(), features, shapes, objectness, deltas, own.boxes(), own.scores(), logits,
          regression);
    }
  }

  /**
   * The five losses of a training batch (torchvision's {@code GeneralizedRCNN} in training mode,
   * names and order {@link Losses#NAMES}); every array is created in {@code manager} (on its
   * device), which the caller closes after the backward pass. Anchor and RoI sampling draw from
   * {@code samplingSeed} only, so a resumed run samples exactly as an uninterrupted one.
   *
   * @param manager scope of this step's arrays
   * @param batch images and targets
   * @param samplingSeed seed of this step's sampling
   * @param clock told where each stage ends ({@link StageClock#NONE} for none)
   */
  public Losses losses(NDManager manager, Batch batch, long samplingSeed, StageClock clock) {
    int n = batch.size();
    if (n == 0) {
      throw new IllegalArgumentException("empty batch at position " + batch.position());
    }
    int ph = batch.paddedHeight();
    int pw = batch.paddedWidth();
    // duplicate(): on CPU, DJL wraps Java memory without copying; autograd keeps the input of the
    // first convolution for the backward pass, so the tensor must own its memory (see LossOps).
    NDArray images = manager.create(batch.images(), new Shape(n, 3, ph, pw)).duplicate();
    ParameterStore ps = new ParameterStore(manager, false);
    NDList features = backbone.forward(ps, new NDList(images), true);
    clock.lap("backbone");
    NDList levels = neck.forward(ps, features, true);
    clock.lap("fpn");
    List<float[]> gtBoxes = new ArrayList<>(n);
    List<int[]> gtLabels = new ArrayList<>(n);
    List<NDArray> gtMasks = new ArrayList<>(n);
    int[][] sizes = new int[n][];
    for (int i = 0; i < n; i++) {
      TrainingTarget t = batch.targets().get(i);
      gtBoxes.add(t.boxes());
      gtLabels.add(t.labels());
      gtMasks.add(masks(manager, t));
      sizes[i] = new int[] {t.height(), t.width()};
    }
    RegionProposalNetwork.Trained proposed = rpn.train(ps, levels, ph, pw, sizes, gtBoxes,
        Sampling.seeded(Seeds.mix(samplingSeed, 1)), clock);
    RoiHeads.Losses roi = roiHeads.train(ps, levels, proposed.proposals().boxes(), gtBoxes, gtLabels, gtMasks,
        Sampling.seeded(Seeds.mix(samplingSeed, 2)), clock);
    Map<String, NDArray> terms = new LinkedHashMap<>();
    terms.put(Losses.NAMES.get(0), proposed.losses().objectness());
    terms.put(Losses.NAMES.get(1), proposed.losses().boxReg());
    terms.put(Losses.NAMES.get(2), roi.box().classifier());
    terms.put(Losses.NAMES.get(3), roi.box().boxReg());
    terms.put(Losses.NAMES.get(4), roi.mask());
    return new Losses(terms, roi.deferred(), java.util.Set.copyOf(Losses.NAMES.subList(2, 5)));
  }

  /** One image's masks as {@code [G, H, W]} bytes (0/1), a quarter of the memory of floats. */
  private static NDArray masks(NDManager manager, TrainingTarget t) {
    int g = t.size();
    int plane = t.height() * t.width();
    ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, g * plane));
    for (byte[] m : t.masks()) {
      buf.put(m);
    }
    buf.flip();
    if (g == 0) {
      return manager.zeros(new Shape(0, t.height(), t.width()), DataType.UINT8);
    }
    return manager.create(buf, new Shape(g, t.height(), t.width()), DataType.UINT8).duplicate();
  }

  /**
   * The whole of {@link #predict(RgbImage)} as ONNX nodes, from the float image {@code 1×3×H×W}
   * (RGB in [0, 1]) to {@code boxes, labels, scores, masks}: a composition of each stage's own
   * lowering (transform, backbone, neck, region proposals, RoI heads); this method writes no
   * operator itself. Parameters are named as in the state dict.
   */
  public List<String> lower(OnnxGraphBuilder graph, String image) {
    requireManager("export");
    GraphOps g = new GraphOps(graph.scope("detect"));
    DetectionTransform.Lowered t = transform.lower(g, image);
    List<String> features = backbone.lower(graph.scope("backbone"), List.of(t.input()));
    List<String> levels = neck.lower(graph.scope("backbone.fpn"), features);
    String proposals = rpn.lower(graph.scope("rpn.head"), g, levels, t.paddedHw(), t.limits());
    List<String> detected = roiHeads.lower(graph.scope("roi_heads"), g, levels, proposals, t.limits());
    return List.of(DetectionTransform.lowerToOriginal(g, detected.get(0), t), detected.get(1), detected.get(2),
        detected.get(3));
  }

  private NDManager requireManager(String what) {
    if (manager == null) {
      throw new IllegalStateException("call initialize(manager) (or load weights) before " + what);
    }
    return manager;
  }

  /**
   * Intermediate outputs of one image (see {@link #stages}). Arrays are row-major copies on the
   * host; the batch dimension (1) is kept in {@code featureShapes}.
   *
   * @param prepared the transformed image
   * @param features the neck's levels ({@code 1×C×H×W} each, P2.. then {@code pool})
   * @param featureShapes the shape of each level
   * @param objectness the RPN's objectness logits per level ({@code 1×A×H×W})
   * @param deltas the RPN's box deltas per level ({@code 1×4A×H×W})
   * @param proposals the selected proposals, xyxy in resized-image pixels
   * @param proposalScores their objectness probabilities
   * @param classLogits the box predictor's class logits ({@code R×numClasses}) for the proposals
   *     the box head ran on
   * @param boxRegression the box predictor's deltas ({@code R×4·numClasses})
   */
  public record Stages(DetectionTransform.Prepared prepared, List<float[]> features, List<long[]> featureShapes,
      List<float[]> objectness, List<float[]> deltas, float[] proposals, float[] proposalScores,
      float[] classLogits, float[] boxRegression) {}

  /** Eager inference on several images, one after the other. */
  public List<Predictions> predict(List<RgbImage> images) {
    List<Predictions> out = new ArrayList<>(images.size());
    for (RgbImage image : images) {
      out.add(predict(image));
    }
    return out;
  }

  private String name(String path) {
    BoundPlugin b = plugins.get(path);
    return b.descriptor().name() + " " + b.descriptor().version();
  }

  /** The neck levels RoIAlign pools from: all but torchvision's extra {@code pool} level. */
  private static Map<String, ShapeSpec> roiLevels(Map<String, ShapeSpec> levels) {
    Map<String, ShapeSpec> out = new LinkedHashMap<>(levels);
    out.remove("pool");
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the neck gives no level to pool RoIs from: " + levels.keySet());
    }
    return out;
  }

  /** Builder: {@link #setConfig} is required; the registry defaults to the classpath's plugins. */
  public static final class Builder {
    private ModelConfig config;
    private PluginRegistry registry;

    Builder() {}

    /** The configuration to assemble. */
    public Builder setConfig(ModelConfig config) {
      this.config = config;
      return this;
    }

    /** Where plugins come from (default: {@link PluginRegistry#load()}). */
    public Builder optRegistry(PluginRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** Finds every plugin and creates the (uninitialised) blocks. */
    public MaskRcnn build() {
      if (config == null) {
        throw new IllegalStateException("setConfig(...) is required");
      }
      return new MaskRcnn(config, registry == null ? PluginRegistry.load() : registry);
    }
  }
}
