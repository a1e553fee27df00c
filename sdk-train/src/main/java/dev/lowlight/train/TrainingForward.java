package dev.lowlight.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.data.loading.TrainingTarget;
import dev.lowlight.heads.loss.FastRcnnLoss;
import dev.lowlight.heads.loss.FastRcnnLosses;
import dev.lowlight.heads.loss.MaskLoss;
import dev.lowlight.heads.loss.RoiTargets;
import dev.lowlight.heads.loss.RpnLoss;
import dev.lowlight.heads.loss.RpnLosses;
import dev.lowlight.heads.loss.SampledRois;
import dev.lowlight.heads.ops.Detections;
import dev.lowlight.heads.roi.MultiScaleRoiAlign;
import dev.lowlight.heads.rpn.ProposalSelector;
import dev.lowlight.heads.targets.Sampling;
import dev.lowlight.model.MaskRcnn;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mask R-CNN's training forward with torchvision 0.14's semantics ({@code GeneralizedRCNN} in
 * training mode): backbone and neck, RPN head and its loss on the anchors of {@code
 * parts().anchors()}; proposals chosen by {@link ProposalSelector#training} on host copies of the
 * head's outputs (so no gradient flows through them, torchvision's {@code detach}); RoIs sampled by
 * {@link RoiTargets} with the ground truth appended; box pooling, box head and {@link
 * FastRcnnLoss}; pooling of the positive RoIs, mask head and {@link MaskLoss}.
 *
 * <p>Sampling is drawn from {@code samplingSeed} only (one stream for the RPN, one for the RoI
 * heads), so a resumed run that derives the seed from its run seed and iteration samples exactly
 * as an uninterrupted one.
 *
 * <pre>{@code
 * TrainingForward forward = new TrainingForward(model);
 * try (NDManager step = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *   Losses losses = forward.forward(step, batch, seed);
 *   gc.backward(losses.total());
 * }
 * }</pre>
 */
public final class TrainingForward {

  /** torchvision's loss names, in its order. */
  public static final List<String> LOSS_NAMES = List.of("loss_objectness", "loss_rpn_box_reg", "loss_classifier",
      "loss_box_reg", "loss_mask");

  private final MaskRcnn model;
  private final MaskRcnn.Parts parts;
  private final RpnLoss rpnLoss;
  private final RoiTargets roiTargets;
  private final ProposalSelector selector;
  private final MultiScaleRoiAlign boxPool;
  private final MultiScaleRoiAlign maskPool;
  private final int roiLevels;

  /** The training forward of {@code model}, whose parameters must exist. */
  public TrainingForward(MaskRcnn model) {
    this.model = model;
    this.parts = model.parts();
    ModelConfig c = model.config();
    this.rpnLoss = RpnLoss.fromConfig(c.rpn());
    this.roiTargets = RoiTargets.fromConfig(c.roiHeads());
    this.selector = ProposalSelector.training(c.rpn());
    int[] strides = parts.roiStrides();
    this.roiLevels = strides.length;
    this.boxPool = MultiScaleRoiAlign.fromStrides(c.roiHeads().boxPoolSize(), c.roiHeads().samplingRatio(), strides);
    this.maskPool = MultiScaleRoiAlign.fromStrides(c.roiHeads().maskPoolSize(), c.roiHeads().samplingRatio(),
        strides);
  }

  /** The model trained. */
  public MaskRcnn model() {
    return model;
  }

  /**
   * The five losses of {@code batch}; every array is created in {@code manager} (on its device),
   * which the caller closes after the backward pass.
   *
   * @param manager scope of this step's arrays
   * @param batch images and targets
   * @param samplingSeed seed of the anchor and RoI sampling of this step
   */
  public Losses forward(NDManager manager, Batch batch, long samplingSeed) {
    return forward(manager, batch, samplingSeed, StageClock.NONE);
  }

  /**
   * Told when each stage of the forward pass ends, so that a benchmark can time the stages of the
   * very step the trainer runs ({@code lowlight bench train}). PyTorch's CPU operations are
   * synchronous, so the wall-clock time between two calls is that stage's time.
   */
  public interface StageClock {
    /** A clock that does nothing. */
    StageClock NONE = stage -> {};

    /** {@code stage} (backbone, fpn, rpn, roialign, heads, loss) has just ended. */
    void lap(String stage);

    /** How many RoIs the box head saw and how many of them were positive (fed to the mask head). */
    default void sampled(int rois, int positives) {}
  }

  /** {@link #forward(NDManager, Batch, long)}, telling {@code clock} where each stage ends. */
  public Losses forward(NDManager manager, Batch batch, long samplingSeed, StageClock clock) {
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
    NDList features = parts.backbone().forward(ps, new NDList(images), true);
    clock.lap("backbone");
    NDList levels = parts.neck().forward(ps, features, true);
    clock.lap("fpn");
    NDList rpn = parts.rpnHead().forward(ps, levels, true);

    int[][] featureSizes = new int[levels.size()][];
    for (int i = 0; i < levels.size(); i++) {
      Shape s = levels.get(i).getShape();
      featureSizes[i] = new int[] {(int) s.get(2), (int) s.get(3)};
    }
    List<float[]> cellAnchors = parts.anchors().anchors(ph, pw, featureSizes);
    float[] flatAnchors = RpnLoss.concatLevels(cellAnchors);
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

    List<Detections> proposals = selector.select(rpn, cellAnchors, sizes);
    clock.lap("rpn");
    RpnLosses rpnLosses = rpnLoss.compute(rpn, Collections.nCopies(n, flatAnchors), gtBoxes,
        Sampling.seeded(mix(samplingSeed, 1)));
    List<float[]> proposalBoxes = new ArrayList<>(n);
    for (Detections d : proposals) {
      proposalBoxes.add(d.boxes());
    }
    List<SampledRois> rois = roiTargets.sample(proposalBoxes, gtBoxes, gtLabels, Sampling.seeded(mix(samplingSeed, 2)));
    clock.sampled(rois.stream().mapToInt(SampledRois::size).sum(),
        rois.stream().mapToInt(r -> r.positiveIndices().length).sum());
    clock.lap("loss");

    NDList pooledLevels = new NDList(levels.subList(0, roiLevels));
    NDArray boxFeatures = boxPool.apply(pooledLevels, SampledRois.proposals(rois));
    clock.lap("roialign");
    NDList box = parts.boxHead().forward(ps, new NDList(boxFeatures), true);
    clock.lap("heads");
    FastRcnnLosses boxLosses = FastRcnnLoss.compute(box.get(0), box.get(1), rois);
    clock.lap("loss");

    NDArray maskFeatures = maskPool.apply(pooledLevels, SampledRois.positiveProposals(rois));
    clock.lap("roialign");
    NDArray maskLogits = parts.maskHead().forward(ps, new NDList(maskFeatures), true).singletonOrThrow();
    clock.lap("heads");
    NDArray maskLoss = MaskLoss.compute(maskLogits, rois, gtMasks);
    clock.lap("loss");

    Map<String, NDArray> terms = new LinkedHashMap<>();
    terms.put(LOSS_NAMES.get(0), rpnLosses.objectness());
    terms.put(LOSS_NAMES.get(1), rpnLosses.boxReg());
    terms.put(LOSS_NAMES.get(2), boxLosses.classifier());
    terms.put(LOSS_NAMES.get(3), boxLosses.boxReg());
    terms.put(LOSS_NAMES.get(4), maskLoss);
    return new Losses(terms);
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

  /** SplitMix64's finaliser of {@code seed} and {@code stream}: independent, reproducible streams. */
  static long mix(long seed, long stream) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
