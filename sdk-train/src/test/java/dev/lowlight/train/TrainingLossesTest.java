package dev.lowlight.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.data.dataset.SceneBatches;
import dev.lowlight.model.Losses;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.StageClock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingLossesTest {

  @Test
  void givesTorchvisionsFiveFiniteLossesAndGradientsReachEveryPart() {
    ModelConfig config = TinyModel.config("");
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = TinyModel.model(config, manager, 3);
      SceneBatches data = new SceneBatches(config, TinyModel.scenes(), 4, 7, 2);
      Map<String, Double> first;
      Map<String, Double> again;
      try (NDManager step = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Losses losses = model.losses(step, data.next(), 11, StageClock.NONE);
        first = losses.values();
        losses.backward(gc);
      }
      assertThat(first.keySet()).containsExactlyElementsOf(Losses.NAMES);
      assertThat(first.values()).allMatch(v -> Double.isFinite(v) && v >= 0);
      assertThat(first.get("loss_classifier")).isPositive();
      assertThat(first.get("loss_mask")).isPositive();
      var params = TorchNames.parameters(model.parameters());
      for (String name : new String[] {"backbone.body.layer1.0.conv1.weight", "backbone.fpn.inner_blocks.0.weight",
          "rpn.head.cls_logits.weight", "roi_heads.box_predictor.cls_score.weight",
          "roi_heads.mask_predictor.mask_fcn_logits.weight"}) {
        var g = params.get(name).getArray().getGradient();
        assertThat(g.abs().sum().getFloat()).as(name).isGreaterThan(0f);
      }
      // same batch and seed: same losses (sampling is a function of the seed)
      data.seek(0);
      try (NDManager step = manager.newSubManager()) {
        again = model.losses(step, data.next(), 11, StageClock.NONE).values();
      }
      assertThat(again).isEqualTo(first);
    }
  }
}
