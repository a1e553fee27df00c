package dev.lowlight.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.data.loading.TrainingTarget;
import dev.lowlight.data.scenes.SceneGenerator;
import org.junit.jupiter.api.Test;

class SceneBatchesTest {

  private static final ModelConfig CONFIG = ConfigLoader.parse("num_classes: 8\n"
      + "transform: {min_size: 64, max_size: 96}\n", true);

  private static SceneGenerator scenes(int width, int height) {
    return SceneGenerator.builder().optWidth(width).optHeight(height).optMinObjects(1).optMaxObjects(3)
        .optMinObjectSize(8).optMaxObjectSize(24).build();
  }

  @Test
  void aCycleRepeatsItsScenesAndSeekReplays() {
    try (SceneBatches data = new SceneBatches(CONFIG, scenes(96, 64), 3, 7, 2)) {
      assertThat(data.paddedHeight()).isEqualTo(64);
      assertThat(data.paddedWidth()).isEqualTo(96);
      Batch first = data.next();
      assertThat(first.targets()).extracting(TrainingTarget::imageId).containsExactly(1L, 2L);
      assertThat(data.next().targets()).extracting(TrainingTarget::imageId).containsExactly(3L, 1L);
      assertThat(first.targets().get(0).boxes()).isNotEmpty();
      data.seek(0);
      Batch again = data.next();
      assertThat(again.images()).containsExactly(first.images());
      assertThat(again.position()).isEqualTo(1);
    }
  }

  @Test
  void endlessBatchesNeverRepeatAndMatchTheCycleScenes() {
    try (SceneBatches endless = SceneBatches.endless(CONFIG, scenes(96, 64), 7, 2);
        SceneBatches cycle = new SceneBatches(CONFIG, scenes(96, 64), 4, 7, 2)) {
      endless.next();
      cycle.next();
      Batch second = endless.next();
      assertThat(second.targets()).extracting(TrainingTarget::imageId).containsExactly(3L, 4L);
      // scene k is the same image whichever way it is served
      assertThat(second.images()).containsExactly(cycle.next().images());
      assertThat(endless.next().targets()).extracting(TrainingTarget::imageId).containsExactly(5L, 6L);
    }
  }

  @Test
  void scenesTheTransformWouldResizeAndBadCountsAreRefused() {
    assertThatThrownBy(() -> new SceneBatches(CONFIG, scenes(128, 64), 2, 7, 1))
        .hasMessageContaining("resizes 128x64 scenes to 96x48");
    assertThatThrownBy(() -> new SceneBatches(CONFIG, scenes(96, 64), 0, 7, 1)).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> SceneBatches.endless(CONFIG, scenes(96, 64), 7, 0)).hasMessageContaining("batch size");
  }
}
