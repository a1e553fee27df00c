package dev.lowlight.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.model.MaskRcnn;

/** A narrow Mask R-CNN on 128×96 scenes that trains an iteration in a fraction of a second. */
final class TinyModel {

  /**
   * The demo's model ({@link ModelConfigs#DEMO}) without denoisers, 7 scene categories +
   * background, a gentler learning rate and 40 iterations by default.
   */
  static final String CONFIG = """
      num_classes: 8
      denoise: {name: none}
      solver: {base_lr: 0.002, warmup_iters: 5, max_iters: 40}
      """;

  private TinyModel() {}

  static ModelConfig config(String extra) {
    return ConfigLoader.parse(java.util.List.of(ModelConfigs.DEMO, CONFIG, extra), true);
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
