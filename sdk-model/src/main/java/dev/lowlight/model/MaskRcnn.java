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
import dev.lowlight.api.config.PluginResolver;
import dev.lowlight.api.nn.StrayArrays;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.Backbone;
import dev.lowlight.api.spi.BackboneContext;
import dev.lowlight.api.spi.BackboneProvider;
import dev.lowlight.api.spi.DenoiserInsertion;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.api.spi.HeadContext;
import dev.lowlight.api.spi.HeadProvider;
import dev.lowlight.api.spi.Neck;
import dev.lowlight.api.spi.NeckProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.api.structures.ShapeSpec;
import dev.lowlight.data.transform.DetectionTransform;
import dev.lowlight.heads.anchors.AnchorGenerator;
import dev.lowlight.heads.box.BoxPostProcessor;
import dev.lowlight.heads.mask.MaskPostProcessor;
import dev.lowlight.heads.ops.Detections;
import dev.lowlight.heads.roi.MultiScaleRoiAlign;
import dev.lowlight.heads.rpn.ProposalSelector;
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
  private final HeadBlock rpnHead;
  private final HeadBlock boxHead;
  private final HeadBlock maskHead;
  private final NamedBlocks root = new NamedBlocks();
  private final AnchorGenerator anchors;
  private final DetectionTransform transform;
  private final MultiScaleRoiAlign boxPool;
  private final MultiScaleRoiAlign maskPool;
  private final int roiLevels;
  private final int[] roiStrides;
  private NDManager manager;

  private MaskRcnn(ModelConfig config, PluginRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.plugins = PluginResolver.resolve(config, registry);
    DenoiserInsertion insertion = DenoiserInsertion.NONE;
    if (config.denoise().enabled()) {
      BoundPlugin d = plugins.get("denoise");
      DenoiserProvider<?> provider = (DenoiserProvider<?>) d.descriptor().provider();
      insertion = new DenoiserInsertion(d.descriptor().name(), config.denoise().stages(),
          channels -> createDenoiser(provider, d.options(), channels));
    }
    this.backbone = createBackbone((BackboneProvider<?>) plugins.get("backbone").descriptor().provider(),
        plugins.get("backbone").options(), new BackboneContext(insertion));
    this.neck = createNeck((NeckProvider<?>) plugins.get("neck").descriptor().provider(), plugins.get("neck").options(),
        backbone.outputShape());
    Map<String, ShapeSpec> levels = neck.outputShape();
    HeadContext heads = new HeadContext(levels, config.numClasses());
    this.rpnHead = createHead(plugins.get("rpn.head"), heads);
    Map<String, ShapeSpec> pooled = roiLevels(levels);
    this.boxHead = createHead(plugins.get("roi_heads.box_head"), new HeadContext(pooled, config.numClasses()));
    this.maskHead = createHead(plugins.get("roi_heads.mask_head"), new HeadContext(pooled, config.numClasses()));

    this.anchors = new AnchorGenerator(config.rpn().anchorSizes(), config.rpn().aspectRatios());
    if (anchors.levels() != levels.size()) {
      throw new ConfigException("rpn.anchor_sizes", "has " + anchors.levels() + " levels but the neck gives "
          + levels.size() + " feature maps " + levels.keySet());
    }
    this.roiLevels = pooled.size();
    int[] strides = pooled.values().stream().mapToInt(ShapeSpec::stride).toArray();
    this.roiStrides = strides.clone();
    this.boxPool = MultiScaleRoiAlign.fromStrides(config.roiHeads().boxPoolSize(), config.roiHeads().samplingRatio(), strides);
    this.maskPool = MultiScaleRoiAlign.fromStrides(config.roiHeads().maskPoolSize(), config.roiHeads().samplingRatio(),
        strides);
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

  /**
   * The blocks and fixed settings between the image transform and the post-processing, for code
   * that lowers the whole model (the ONNX exporter).
   *
   * @param transform the image transform (normalise, resize, pad)
   * @param backbone the backbone with its denoisers
   * @param neck the neck
   * @param rpnHead the RPN head
   * @param boxHead the box head with its predictor
   * @param maskHead the mask head with its predictor
   * @param anchors the anchor generator, one level per neck output
   * @param roiStrides strides of the neck levels RoIAlign pools from, finest first
   */
  public record Parts(DetectionTransform transform, Backbone backbone, Neck neck, HeadBlock rpnHead, HeadBlock boxHead, HeadBlock maskHead,
      AnchorGenerator anchors, int[] roiStrides) {}

  /** The model's parts; the parameters must exist ({@link #initialize} or loaded weights). */
  public Parts parts() {
    if (manager == null) {
      throw new IllegalStateException("call initialize(manager) (or load weights) before exporting the model");
    }
    return new Parts(transform, backbone, neck, rpnHead, boxHead, maskHead, anchors, roiStrides.clone());
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
    rpnHead.initialize(manager, DataType.FLOAT32, levels);
    long channels = levels[0].get(1);
    int box = config.roiHeads().boxPoolSize();
    int mask = config.roiHeads().maskPoolSize();
    boxHead.initialize(manager, DataType.FLOAT32, new Shape(1, channels, box, box));
    maskHead.initialize(manager, DataType.FLOAT32, new Shape(1, channels, mask, mask));
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
  public synchronized Predictions predict(RgbImage image) {
    if (manager == null) {
      throw new IllegalStateException("call initialize(manager) (or load weights) before predict");
    }
    // strays: results of operations that start from a parameter land in the parameters' manager
    try (NDManager m = manager.newSubManager(); StrayArrays strays = StrayArrays.watch(manager)) {
      DetectionTransform.Prepared p = transform.prepare(image);
      NDArray x = m.create(p.chw(), new Shape(1, 3, p.paddedHeight(), p.paddedWidth()));
      ParameterStore ps = new ParameterStore(m, false);
      NDList levels = neck.forward(ps, backbone.forward(ps, new NDList(x), false), false);
      NDList rpn = rpnHead.forward(ps, levels, false);
      int[][] featureSizes = new int[levels.size()][];
      for (int i = 0; i < levels.size(); i++) {
        Shape s = levels.get(i).getShape();
        featureSizes[i] = new int[] {(int) s.get(2), (int) s.get(3)};
      }
      List<float[]> cellAnchors = anchors.anchors(p.paddedHeight(), p.paddedWidth(), featureSizes);
      int[][] sizes = {{p.resizedHeight(), p.resizedWidth()}};
      float[] proposals = ProposalSelector.inference(config.rpn()).select(rpn, cellAnchors, sizes).get(0).boxes();
      if (proposals.length == 0) {
        return empty(image);
      }
      NDList pooledLevels = new NDList(levels.subList(0, roiLevels));
      NDArray boxFeatures = boxPool.apply(pooledLevels, List.of(proposals));
      NDList box = boxHead.forward(ps, new NDList(boxFeatures), false);
      Detections det = BoxPostProcessor.of(config.roiHeads()).process(box.get(0), box.get(1), List.of(proposals), sizes)
          .get(0);
      if (det.size() == 0) {
        return empty(image);
      }
      NDArray maskFeatures = maskPool.apply(pooledLevels, List.of(det.boxes()));
      NDArray logits = maskHead.forward(ps, new NDList(maskFeatures), false).singletonOrThrow();
      float[] masks = MaskPostProcessor.probabilities(logits, det.labels()).toFloatArray();
      float[] boxes = det.boxes().clone();
      DetectionTransform.toOriginal(boxes, p);
      long[] labels = new long[det.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = det.labels()[i];
      }
      return new Predictions(image.width(), image.height(), boxes, labels, det.scores().clone(), masks,
          (int) logits.getShape().get(2));
    }
  }

  /**
   * The intermediate outputs of one image, for stage-by-stage comparison with a reference
   * implementation (the parity tests) and for debugging. Runs the same steps as {@link
   * #predict(RgbImage)} up to the box head; the box head runs on {@code proposals} when given, so
   * that its logits can be compared on the reference's proposals.
   *
   * @param image the input image (RGB in [0, 1])
   * @param proposals xyxy boxes in resized-image pixels to run the box head on, or {@code null}
   *     for the model's own proposals
   */
  public synchronized Stages stages(RgbImage image, float[] proposals) {
    if (manager == null) {
      throw new IllegalStateException("call initialize(manager) (or load weights) before stages");
    }
    try (NDManager m = manager.newSubManager(); StrayArrays strays = StrayArrays.watch(manager)) {
      DetectionTransform.Prepared p = transform.prepare(image);
      NDArray x = m.create(p.chw(), new Shape(1, 3, p.paddedHeight(), p.paddedWidth()));
      ParameterStore ps = new ParameterStore(m, false);
      NDList levels = neck.forward(ps, backbone.forward(ps, new NDList(x), false), false);
      NDList rpn = rpnHead.forward(ps, levels, false);
      List<float[]> features = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      int[][] featureSizes = new int[levels.size()][];
      for (int i = 0; i < levels.size(); i++) {
        Shape s = levels.get(i).getShape();
        features.add(levels.get(i).toFloatArray());
        shapes.add(s.getShape());
        featureSizes[i] = new int[] {(int) s.get(2), (int) s.get(3)};
      }
      List<float[]> objectness = new ArrayList<>();
      List<float[]> deltas = new ArrayList<>();
      for (int i = 0; i < rpn.size(); i += 2) {
        objectness.add(rpn.get(i).toFloatArray());
        deltas.add(rpn.get(i + 1).toFloatArray());
      }
      List<float[]> cellAnchors = anchors.anchors(p.paddedHeight(), p.paddedWidth(), featureSizes);
      int[][] sizes = {{p.resizedHeight(), p.resizedWidth()}};
      Detections own = ProposalSelector.inference(config.rpn()).select(rpn, cellAnchors, sizes).get(0);
      float[] boxes = proposals == null ? own.boxes() : proposals;
      float[] logits = new float[0];
      float[] regression = new float[0];
      if (boxes.length > 0) {
        NDArray boxFeatures = boxPool.apply(new NDList(levels.subList(0, roiLevels)), List.of(boxes));
        NDList box = boxHead.forward(ps, new NDList(boxFeatures), false);
        logits = box.get(0).toFloatArray();
        regression = box.get(1).toFloatArray();
      }
      return new Stages(p, features, shapes, objectness, deltas, own.boxes(), own.scores(), logits, regression);
    }
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

  private Predictions empty(RgbImage image) {
    int m = 2 * config.roiHeads().maskPoolSize();
    return new Predictions(image.width(), image.height(), new float[0], new long[0], new float[0], new float[0], m);
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

  @SuppressWarnings("unchecked")
  private static <O extends Record> Backbone createBackbone(BackboneProvider<O> p, Record options, BackboneContext c) {
    return p.create((O) options, c);
  }

  @SuppressWarnings("unchecked")
  private static <O extends Record> dev.lowlight.api.spi.DenoisingBlock createDenoiser(DenoiserProvider<O> p,
      Record options, int channels) {
    return p.create((O) options, channels);
  }

  @SuppressWarnings("unchecked")
  private static <O extends Record> Neck createNeck(NeckProvider<O> p, Record options, Map<String, ShapeSpec> in) {
    return p.create((O) options, in);
  }

  @SuppressWarnings("unchecked")
  private static <O extends Record> HeadBlock createHead(BoundPlugin b, HeadContext context) {
    return ((HeadProvider<O>) b.descriptor().provider()).create((O) b.options(), context);
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
