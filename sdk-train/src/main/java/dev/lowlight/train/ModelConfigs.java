package dev.lowlight.train;

/**
 * Model configurations that the SDK's own commands train, as YAML layers for {@link
 * dev.lowlight.api.config.ConfigLoader#parse(java.util.List, boolean)}: later layers (the number of
 * classes, the iterations) override them key by key.
 *
 * <pre>{@code
 * ModelConfig c = ConfigLoader.parse(List.of(ModelConfigs.DEMO, "num_classes: 8\nsolver: {max_iters: 500}\n"), true);
 * }</pre>
 */
public final class ModelConfigs {

  /**
   * {@code lowlight demo}'s model: ResNet-18 with trainable batch norm (it learns from scratch, as
   * nothing may be downloaded), weighted non-local blocks after res4 and res5, a 32-channel FPN
   * and narrow heads, for 128x96 scenes on two CPU cores; AdamW with a cosine schedule. The blocks
   * use Xie et al.'s Gaussian affinity scaled by 1/sqrt(C): from scratch, the unscaled
   * embedded-Gaussian logits overflow the softmax within a few iterations. Fine-tuning a pretrained
   * model (the paper's recipe) uses the default embedded-Gaussian blocks. Give {@code num_classes}
   * (and {@code solver.max_iters}) in a later layer.
   */
  public static final String DEMO = """
      backbone: {name: resnet18, options: {trainable_layers: 5, norm: batch}}
      denoise: {name: weighted-non-local, stages: [res4, res5], options: {mode: gaussian, scaled: true}}
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
        base_lr: 0.004
        weight_decay: 0.0001
        schedule: cosine
        warmup_iters: 20
        warmup_factor: 0.1
        ims_per_batch: 2
        clip_grad_norm: 5.0
      """;

  private ModelConfigs() {}
}
