package dev.lowlight.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.model.MaskRcnn;

/** A narrow Mask R-CNN on 128×96 scenes that trains an iteration in a fraction of a second. */
final class TinyModel {

  /** 7 scene categories + background; ResNet-18 with trainable batch norm (from scratch), FPN 32, small heads. */
  static final String CONFIG = """
      num_classes: 8
      backbone: {name: resnet18, options: {trainable_layers: 5, norm: batch}}
      neck: {name: fpn, options: {out_channels: 32}}
      transform: {min_size: 96, max_size: 128}
      rpn:
        pre_nms_top_n_train: 300
        post_nms_top_n_train: 150
        pre_nms_top_n_test: 300
        post_nms_top_n_test: 100
        batch_size_per_image: 128
        anchor_sizes: [[16], [32], [48], [64], [96]]
      roi_heads:
        box_head: {name: two-mlp, options: {representation_size: 64}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [16, 16], dim_reduced: 16}}
        batch_size_per_image: 64
        detections_per_img: 20
      solver:
        optimizer: adamw
        base_lr: 0.002
        weight_decay: 0.0001
        schedule: cosine
        warmup_iters: 5
        warmup_factor: 0.1
        max_iters: 40
        ims_per_batch: 2
        clip_grad_norm: 5.0
      """;

  private TinyModel() {}

  static ModelConfig config(String extra) {
    return ConfigLoader.parse(java.util.List.of(CONFIG, extra), true);
  }

  /** Scenes at exactly the transform's size (96 rows × 128 columns), 2–4 objects of 16–40 px. */
  static SceneGenerator scenes() {
    return SceneGenerator.builder().optWidth(128).optHeight(96).optMinObjects(2).optMaxObjects(4)
        .optMinObjectSize(16).optMaxObjectSize(40).build();
  }

  /** A model with parameters initialised from {@code seed}. */
  static MaskRcnn model(ModelConfig config, NDManager manager, int seed) {
    Engine.getInstance().setRandomSeed(seed);
    return MaskRcnn.builder().setConfig(config).build().initialize(manager);
  }
}
