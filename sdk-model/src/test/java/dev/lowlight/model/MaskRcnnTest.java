package dev.lowlight.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.structures.RgbImage;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaskRcnnTest {

  /** A narrow model that runs in a second on CPU. */
  static final String SMALL = """
      num_classes: 4
      backbone: {name: resnet18}
      neck: {name: fpn, options: {out_channels: 32}}
      transform: {min_size: 96, max_size: 128}
      roi_heads:
        box_head: {name: two-mlp, options: {representation_size: 64}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [16, 16], dim_reduced: 16}}
      """;

  @Test
  void namesFollowTorchvisionAndDenoisersAreTheOnlyNewNames() {
    ModelConfig plain = ConfigLoader.parse(SMALL, true);
    ModelConfig wnlb = ConfigLoader.parse(SMALL + "denoise: {name: weighted-non-local, stages: [res4, res5]}\n", true);
    try (NDManager m = NDManager.newBaseManager()) {
      Set<String> a = TorchNames.parameters(MaskRcnn.builder().setConfig(plain).build().initialize(m).parameters()).keySet();
      Set<String> b = TorchNames.parameters(MaskRcnn.builder().setConfig(wnlb).build().initialize(m).parameters()).keySet();
      assertThat(a).contains("backbone.body.conv1.weight", "backbone.body.layer1.0.conv1.weight",
          "backbone.fpn.inner_blocks.0.weight", "rpn.head.conv.0.0.weight", "rpn.head.cls_logits.weight",
          "roi_heads.box_head.fc6.weight", "roi_heads.box_predictor.cls_score.weight",
          "roi_heads.mask_head.0.0.weight", "roi_heads.mask_predictor.mask_fcn_logits.weight");
      assertThat(b).containsAll(a);
      assertThat(b.stream().filter(k -> !a.contains(k))).isNotEmpty()
          .allMatch(k -> k.startsWith("backbone.denoise.res4.") || k.startsWith("backbone.denoise.res5."));
    }
  }

  @Test
  void predictsOnImagesOfAnySizeIncludingEmptyOnes() {
    ModelConfig config = ConfigLoader.parse(SMALL + "denoise: {name: weighted-non-local}\n", true);
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(m);
      Random r = new Random(3);
      float[] noise = new float[53 * 37 * 3];
      for (int i = 0; i < noise.length; i++) {
        noise[i] = r.nextFloat();
      }
      for (RgbImage image : new RgbImage[] {new RgbImage(53, 37, noise), RgbImage.black(64, 48), RgbImage.black(1, 1)}) {
        Predictions p = model.predict(image);
        assertThat(p.imageWidth()).isEqualTo(image.width());
        assertThat(p.boxes()).hasSize(4 * p.size());
        assertThat(p.masks()).hasSize(p.size() * 28 * 28);
        for (int i = 0; i < p.size(); i++) {
          assertThat(p.labels()[i]).isBetween(1L, 3L);
          assertThat(p.boxes()[4 * i + 2]).isLessThanOrEqualTo(image.width());
          assertThat(p.binaryMask(i)).hasSize(image.width() * image.height());
        }
      }
    }
  }

  @Test
  void inconsistentAnchorsAreAConfigError() {
    ModelConfig config = ConfigLoader.parse(SMALL + "rpn: {anchor_sizes: [[32], [64]]}\n", true);
    assertThatThrownBy(() -> MaskRcnn.builder().setConfig(config).build()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("rpn.anchor_sizes");
  }

  @Test
  void stagesTheBackboneLacksAreAConfigError() {
    ModelConfig config = ConfigLoader.parse(SMALL + "denoise: {name: weighted-non-local, stages: [res4, res6]}\n", true);
    assertThatThrownBy(() -> MaskRcnn.builder().setConfig(config).build()).isInstanceOf(ConfigException.class)
        .hasMessage("denoise.stages: stage 'res6' is not one of this backbone's [res2, res3, res4, res5]");
  }
}
