package dev.lowlight.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The region proposal network: head plugin, anchors, proposal selection and training targets,
 * with torchvision's names and defaults.
 *
 * @param head the RPN head plugin and its options
 * @param anchorSizes anchor sizes in pixels, one list per feature level
 * @param aspectRatios height/width ratios, shared by all levels
 * @param preNmsTopNTrain proposals kept per level before NMS, training
 * @param preNmsTopNTest proposals kept per level before NMS, inference
 * @param postNmsTopNTrain proposals kept after NMS, training
 * @param postNmsTopNTest proposals kept after NMS, inference
 * @param nmsThresh IoU threshold of proposal NMS
 * @param fgIouThresh IoU at or above which an anchor is foreground
 * @param bgIouThresh IoU below which an anchor is background
 * @param batchSizePerImage anchors sampled per image for the loss
 * @param positiveFraction fraction of positives among sampled anchors
 * @param scoreThresh proposals with lower objectness probability are dropped
 */
public record RpnConfig(PluginRef head, List<List<Integer>> anchorSizes, List<Double> aspectRatios,
    @JsonProperty("pre_nms_top_n_train") int preNmsTopNTrain, @JsonProperty("pre_nms_top_n_test") int preNmsTopNTest,
    @JsonProperty("post_nms_top_n_train") int postNmsTopNTrain, @JsonProperty("post_nms_top_n_test") int postNmsTopNTest,
    double nmsThresh, double fgIouThresh, double bgIouThresh, int batchSizePerImage,
    double positiveFraction, double scoreThresh) {

  public RpnConfig {
    head = head == null ? new PluginRef("rpn", Map.of()) : head;
    Check.required("anchor_sizes", anchorSizes);
    Check.required("aspect_ratios", aspectRatios);
    if (anchorSizes.isEmpty()) {
      throw new Check.InvalidValueException("anchor_sizes", "must name at least one level");
    }
    for (int i = 0; i < aspectRatios.size(); i++) {
      Check.range("aspect_ratios[" + i + "]", aspectRatios.get(i), 1e-3, 1e3);
    }
    for (int l = 0; l < anchorSizes.size(); l++) {
      List<Integer> level = Check.required("anchor_sizes[" + l + "]", anchorSizes.get(l));
      if (level.isEmpty()) {
        throw new Check.InvalidValueException("anchor_sizes[" + l + "]", "must give at least one size");
      }
      for (int i = 0; i < level.size(); i++) {
        Check.range("anchor_sizes[" + l + "][" + i + "]", level.get(i), 1, 100_000);
      }
    }
    anchorSizes = anchorSizes.stream().map(List::copyOf).toList();
    aspectRatios = List.copyOf(aspectRatios);
    Check.range("pre_nms_top_n_train", preNmsTopNTrain, 1, 1_000_000);
    Check.range("pre_nms_top_n_test", preNmsTopNTest, 1, 1_000_000);
    Check.range("post_nms_top_n_train", postNmsTopNTrain, 1, 1_000_000);
    Check.range("post_nms_top_n_test", postNmsTopNTest, 1, 1_000_000);
    Check.range("nms_thresh", nmsThresh, 0, 1);
    Check.range("fg_iou_thresh", fgIouThresh, 0, 1);
    Check.range("bg_iou_thresh", bgIouThresh, 0, fgIouThresh);
    Check.range("batch_size_per_image", batchSizePerImage, 1, 100_000);
    Check.range("positive_fraction", positiveFraction, 0, 1);
    Check.range("score_thresh", scoreThresh, 0, 1);
  }
}
