package dev.lowlight.model.roi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.config.RoiHeadsConfig;
import dev.lowlight.api.nn.DeferredGradient;
import dev.lowlight.api.onnx.GraphOps;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.heads.box.BoxPostProcessor;
import dev.lowlight.heads.loss.FastRcnnLoss;
import dev.lowlight.heads.loss.FastRcnnLosses;
import dev.lowlight.heads.loss.MaskLoss;
import dev.lowlight.heads.loss.RoiTargets;
import dev.lowlight.heads.loss.SampledRois;
import dev.lowlight.heads.mask.MaskPostProcessor;
import dev.lowlight.heads.ops.Detections;
import dev.lowlight.heads.roi.HostLevels;
import dev.lowlight.heads.roi.MultiScaleRoiAlign;
import dev.lowlight.heads.roi.PooledFeatures;
import dev.lowlight.heads.targets.Sampling;
import dev.lowlight.model.StageClock;
import java.util.ArrayList;
import java.util.List;

/**
 * The RoI stage of Mask R-CNN (torchvision's {@code RoIHeads}, Detectron2's {@code
 * StandardROIHeads}): multi-scale RoIAlign, the box head (a plugin) and its post-processing, then
 * RoIAlign on the detections, the mask head (a plugin) and the mask of each detection's class; in
 * training, RoI sampling and the box and mask losses. Its three paths sit side by side: {@link
 * #detect} (inference), {@link #train} and {@link #lower} (the ONNX graph from the same pools and
 * post-processors).
 *
 * <pre>{@code
 * RoiHeads roi = new RoiHeads(boxHead, maskHead, config.roiHeads(), config.numClasses(), 4, 8, 16, 32);
 * RoiHeads.Detected d = roi.detect(ps, levels, proposals, imageH, imageW, StageClock.NONE);
 * }</pre>
 */
public final class RoiHeads {

  private final HeadBlock boxHead;
  private final HeadBlock maskHead;
  private final MultiScaleRoiAlign boxPool;
  private final MultiScaleRoiAlign maskPool;
  private final int levels;
  private final BoxPostProcessor post;
  private final RoiTargets targets;
  private final int numClasses;
  private final int maskSide;

  /**
   * @param strides strides of the neck levels RoIAlign pools from, finest first
   */
  public RoiHeads(HeadBlock boxHead, HeadBlock maskHead, RoiHeadsConfig config, int numClasses, int... strides) {
    this.boxHead = boxHead;
    this.maskHead = maskHead;
    this.boxPool = MultiScaleRoiAlign.fromStrides(config.boxPoolSize(), config.samplingRatio(), strides);
    this.maskPool = MultiScaleRoiAlign.fromStrides(config.maskPoolSize(), config.samplingRatio(), strides);
    this.levels = strides.length;
    this.post = BoxPostProcessor.of(config);
    this.targets = RoiTargets.fromConfig(config);
    this.numClasses = numClasses;
    // the mask head (a 2x upsampling, as torchvision's) gives twice the pooled side
    this.maskSide = 2 * config.maskPoolSize();
  }

  /** The box head with its predictor. */
  public HeadBlock boxHead() {
    return boxHead;
  }

  /** The mask head with its predictor. */
  public HeadBlock maskHead() {
    return maskHead;
  }

  /** The levels pooled from: the first {@code levels} of the neck's outputs. */
  private NDList pooled(NDList neckLevels) {
    return new NDList(neckLevels.subList(0, levels));
  }

  /** The box head's {@code class_logits [R, K]} and {@code box_regression [R, 4K]} for one image's proposals. */
  public NDList boxOutputs(ParameterStore ps, NDList neckLevels, float[] proposals, StageClock clock) {
    return boxOutputs(ps, new HostLevels(pooled(neckLevels)), proposals, clock);
  }

  private NDList boxOutputs(ParameterStore ps, HostLevels host, float[] proposals, StageClock clock) {
    NDArray features = boxPool.pool(host, List.of(proposals), false).values();
    clock.lap("roialign");
    NDList out = boxHead.forward(ps, new NDList(features), false);
    clock.lap("heads");
    return out;
  }

  /**
   * Detections of one image and the mask probability of each.
   *
   * @param detections boxes in resized-image pixels, scores, labels
   * @param masks {@code [D, side, side]} probabilities of each detection's class, row-major
   * @param maskSide side of the masks
   */
  public record Detected(Detections detections, float[] masks, int maskSide) {}

  /**
   * Inference on one image's proposals (xyxy in resized-image pixels) for an image of {@code
   * imageH × imageW} before padding.
   */
  public Detected detect(ParameterStore ps, NDList neckLevels, float[] proposals, int imageH, int imageW,
      StageClock clock) {
    if (proposals.length == 0) {
      return new Detected(new Detections(new float[0], new float[0], new int[0]), new float[0], maskSide);
    }
    HostLevels host = new HostLevels(pooled(neckLevels));
    NDList box = boxOutputs(ps, host, proposals, clock);
    Detections det = post.process(box.get(0), box.get(1), List.of(proposals), new int[][] {{imageH, imageW}}).get(0);
    clock.lap("post");
    if (det.size() == 0) {
      return new Detected(det, new float[0], maskSide);
    }
    NDArray maskFeatures = maskPool.pool(host, List.of(det.boxes()), false).values();
    clock.lap("roialign");
    NDArray logits = maskHead.forward(ps, new NDList(maskFeatures), false).singletonOrThrow();
    clock.lap("heads");
    float[] masks = MaskPostProcessor.probabilities(logits, det.labels()).toFloatArray();
    clock.lap("post");
    return new Detected(det, masks, (int) logits.getShape().get(2));
  }

  /**
   * The box and mask losses of a training step.
   *
   * @param box the classifier and box regression losses
   * @param mask the mask loss
   * @param deferred gradients of host-pooled features that a second backward pass carries to the
   *     levels (empty on the engine path)
   */
  public record Losses(FastRcnnLosses box, NDArray mask, List<DeferredGradient> deferred) {}

  /**
   * Training: samples RoIs among {@code proposals} (ground truth appended) from {@code sampling},
   * pools, runs both heads and returns the losses against the targets.
   *
   * @param proposals per image, xyxy
   * @param gtBoxes per image, xyxy
   * @param gtLabels per image
   * @param gtMasks per image, {@code [G, H, W]} 0/1 bytes
   */
  public Losses train(ParameterStore ps, NDList neckLevels, List<float[]> proposals, List<float[]> gtBoxes,
      List<int[]> gtLabels, List<NDArray> gtMasks, Sampling sampling, StageClock clock) {
    List<SampledRois> rois = targets.sample(proposals, gtBoxes, gtLabels, sampling);
    clock.sampled(rois.stream().mapToInt(SampledRois::size).sum(),
        rois.stream().mapToInt(r -> r.positiveIndices().length).sum());
    clock.lap("loss");
    HostLevels host = new HostLevels(pooled(neckLevels));
    List<DeferredGradient> deferred = new ArrayList<>();
    PooledFeatures boxFeatures = boxPool.pool(host, SampledRois.proposals(rois), true);
    clock.lap("roialign");
    NDList box = boxHead.forward(ps, new NDList(boxFeatures.values()), true);
    clock.lap("heads");
    FastRcnnLosses boxLosses = FastRcnnLoss.compute(box.get(0), box.get(1), rois);
    clock.lap("loss");
    PooledFeatures maskFeatures = maskPool.pool(host, SampledRois.positiveProposals(rois), true);
    clock.lap("roialign");
    NDArray maskLogits = maskHead.forward(ps, new NDList(maskFeatures.values()), true).singletonOrThrow();
    clock.lap("heads");
    NDArray maskLoss = MaskLoss.compute(maskLogits, rois, gtMasks);
    clock.lap("loss");
    for (PooledFeatures p : List.of(boxFeatures, maskFeatures)) {
      if (p.gradient() != null) {
        deferred.add(p.gradient());
      }
    }
    return new Losses(boxLosses, maskLoss, deferred);
  }

  /**
   * The graph of {@link #detect} for one image: heads lowered into {@code headScope}, pooling and
   * post-processing into {@code g}; {@code limits} is the float {@code (w, h, w, h)} of the resized
   * image. Returns {boxes {@code [D, 4]} in resized-image pixels, labels {@code [D]}, scores {@code
   * [D]}, masks {@code [D, 1, side, side]}}.
   */
  public List<String> lower(OnnxScope headScope, GraphOps g, List<String> neckLevels, String proposals,
      String limits) {
    List<String> pooledLevels = neckLevels.subList(0, levels);
    String boxFeatures = boxPool.lower(g, pooledLevels, proposals);
    List<String> box = boxHead.lower(headScope, List.of(boxFeatures));
    String[] det = post.lower(g, box.get(0), box.get(1), proposals, limits, numClasses);
    String maskFeatures = maskPool.lower(g, pooledLevels, det[0]);
    String logits = maskHead.lower(headScope, List.of(maskFeatures)).get(0);
    return List.of(det[0], det[1], det[2], MaskPostProcessor.lower(g, logits, det[1], numClasses));
  }
}
