package dev.lowlight.api.config;

import java.util.List;
import java.util.Map;

/**
 * The box and mask branches, with torchvision's names and defaults.
 *
 * @param boxHead box head plugin (feature extractor and predictor)
 * @param maskHead mask head plugin
 * @param boxPoolSize RoIAlign output side for the box branch
 * @param maskPoolSize RoIAlign output side for the mask branch
 * @param samplingRatio RoIAlign samples per bin side
 * @param scoreThresh detections below this class score are dropped
 * @param nmsThresh IoU threshold of per-class NMS
 * @param detectionsPerImg maximum detections per image
 * @param fgIouThresh IoU at or above which a proposal is foreground
 * @param bgIouThresh IoU below which a proposal is background
 * @param batchSizePerImage proposals sampled per image for the loss
 * @param positiveFraction fraction of positives among sampled proposals
 * @param bboxRegWeights weights of the box coder (wx, wy, ww, wh)
 */
public record RoiHeadsConfig(PluginRef boxHead, PluginRef maskHead, int boxPoolSize, int maskPoolSize,
    int samplingRatio, double scoreThresh, double nmsThresh, int detectionsPerImg, double fgIouThresh,
    double bgIouThresh, int batchSizePerImage, double positiveFraction, List<Double> bboxRegWeights) {

  public RoiHeadsConfig {
    boxHead = boxHead == null ? new PluginRef("two-mlp", Map.of()) : boxHead;
    maskHead = maskHead == null ? new PluginRef("mask-rcnn-conv", Map.of()) : maskHead;
    Check.range("box_pool_size", boxPoolSize, 1, 64);
    Check.range("mask_pool_size", maskPoolSize, 1, 64);
    Check.range("sampling_ratio", samplingRatio, 0, 16);
    Check.range("score_thresh", scoreThresh, 0, 1);
    Check.range("nms_thresh", nmsThresh, 0, 1);
    Check.range("detections_per_img", detectionsPerImg, 1, 10_000);
    Check.range("fg_iou_thresh", fgIouThresh, 0, 1);
    Check.range("bg_iou_thresh", bgIouThresh, 0, fgIouThresh);
    Check.range("batch_size_per_image", batchSizePerImage, 1, 100_000);
    Check.range("positive_fraction", positiveFraction, 0, 1);
    Check.required("bbox_reg_weights", bboxRegWeights);
    if (bboxRegWeights.size() != 4) {
      throw new Check.InvalidValueException("bbox_reg_weights", "must have 4 values (wx, wy, ww, wh), got "
          + bboxRegWeights.size());
    }
    for (int i = 0; i < 4; i++) {
      Check.range("bbox_reg_weights[" + i + "]", bboxRegWeights.get(i), 1e-6, 1e6);
    }
    bboxRegWeights = List.copyOf(bboxRegWeights);
  }
}
