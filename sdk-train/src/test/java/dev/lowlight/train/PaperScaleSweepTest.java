package dev.lowlight.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.dataset.SceneBatches;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The paper's recipe at the paper's scale: torchvision's ResNet-50 FPN Mask R-CNN (every default)
 * on 800x1067 images, backbone-only fine-tuning, with denoisers where the recipe puts them. One
 * training step and one eager inference per case, each of which must finish (no SIGFPE from
 * oneDNN's 1x1 convolutions, see {@code Layouts}) and give finite losses. Narrow models at small
 * sizes never reach the shapes where oneDNN divides by zero (a 1x1 convolution 1024 → 512 after a
 * denoiser at res4), which is why the narrow tests missed the crash.
 */
@Tag("slow")
class PaperScaleSweepTest {

  private static final int HEIGHT = 800;
  private static final int WIDTH = 1067;

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0} after {1}")
  @CsvSource(delimiter = ';', value = {
      "weighted-non-local; res3, res4, res5",
      "non-local; res3, res4, res5",
      "mean-filter; res3, res4, res5",
      "median-filter; res3, res4, res5",
      "identity; res3, res4, res5",
      "weighted-non-local; res3",
      "weighted-non-local; res4",
      "weighted-non-local; res5"})
  void r50At800TrainsAStepAndPredicts(String denoiser, String stages) throws Exception {
    trainAndPredict(denoiser, stages, HEIGHT, WIDTH);
  }

  /**
   * res2 at 800x1067 (padded to 800x1088) is 200x272 = 54,400 positions: training would keep an 11 GiB affinity per
   * image, more than this machine has, so it is refused (below); 480x640, COCO's most common size,
   * keeps 1.5 GB and trains.
   */
  @Test
  void weightedNonLocalAtRes2TrainsAtCocosCommonSize() throws Exception {
    trainAndPredict("weighted-non-local", "res2", 480, 640);
  }

  @Test
  void weightedNonLocalAtRes2Of800pxIsRefusedBeforeItRunsOutOfMemory() {
    ModelConfig config = config("weighted-non-local", "res2", HEIGHT);
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);
      assertThatThrownBy(() -> Trainer.builder().setModel(model)
          .setTrainData(new SceneBatches(config, scenes(HEIGHT, WIDTH), 1, 3, 1)).setRunDirectory(tmp.resolve("r"))
          .build().run())
          .hasMessageContaining("denoiser after res2")
          .hasMessageContaining("200x272 = 54400 positions")
          .hasMessageContaining("training_memory_mb")
          .hasMessageContaining("sub_sample");
    }
  }

  private void trainAndPredict(String denoiser, String stages, int height, int width) throws Exception {
    ModelConfig config = config(denoiser, stages, height);
    SceneGenerator scenes = scenes(height, width);
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);
      TrainingReport report = Trainer.builder().setModel(model)
          .setTrainData(new SceneBatches(config, scenes, 1, 3, 1)).setRunDirectory(tmp.resolve("run"))
          .optSeed(5).build().run();
      assertThat(report.iterations()).isEqualTo(1);
      assertThat(report.finalMetrics().get("loss")).isFinite();
      Predictions p = model.predict(scenes.generate(11).image());
      assertThat(p.imageWidth()).isEqualTo(width);
      assertThat(p.imageHeight()).isEqualTo(height);
      for (float s : p.scores()) {
        assertThat(s).isBetween(0f, 1f);
      }
    }
  }

  private static ModelConfig config(String denoiser, String stages, int height) {
    String yaml = "denoise: {name: " + denoiser + ", stages: [" + stages + "]}\n"
        + "transform: {min_size: " + height + "}\n"
        + "solver: {trainable: backbone-only, base_lr: 0.01, max_iters: 1, ims_per_batch: 1}\n";
    return ConfigLoader.parse(List.of(yaml), true);
  }

  private static SceneGenerator scenes(int height, int width) {
    return SceneGenerator.builder().optWidth(width).optHeight(height).optMinObjects(2).optMaxObjects(4)
        .optMinObjectSize(40).optMaxObjectSize(300).build();
  }
}
