package dev.lowlight.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.train.optim.TrainableParameter;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Which parameter groups each freeze policy trains, on a model with denoisers. */
class FreezePolicyTest {

  /** The group of a parameter name: body, denoise, fpn, rpn or roi_heads. */
  private static String group(String name) {
    String[] parts = name.split("\\.");
    return parts[0].equals("backbone") ? parts[1] : parts[0];
  }

  /** For each group, whether any of its parameters trains under {@code policy}, on a fresh model. */
  private static Map<String, Boolean> groupsThatTrain(String policy) {
    ModelConfig config = TinyModel.config("denoise: {name: weighted-non-local, stages: [res4, res5]}\n"
        + "solver: {trainable: " + policy + "}\n");
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = TinyModel.model(config, manager, 1);
      Set<String> trainable = new TreeSet<>();
      for (TrainableParameter p : FreezePolicy.of(config.solver().trainable()).apply(model)) {
        trainable.add(p.name());
      }
      Map<String, Boolean> groups = new TreeMap<>();
      TorchNames.parameters(model.parameters()).forEach((name, p) -> {
        boolean trains = trainable.contains(name);
        assertThat(p.requiresGradient()).as("%s requires a gradient exactly when it trains", name).isEqualTo(trains);
        groups.merge(group(name), trains, Boolean::logicalOr);
      });
      return groups;
    }
  }

  @Test
  void eachPolicyTrainsItsGroups() {
    assertThat(groupsThatTrain("all")).containsOnly(Map.entry("body", true), Map.entry("denoise", true),
        Map.entry("fpn", true), Map.entry("rpn", true), Map.entry("roi_heads", true));
    assertThat(groupsThatTrain("backbone-only")).containsOnly(Map.entry("body", true), Map.entry("denoise", true),
        Map.entry("fpn", false), Map.entry("rpn", false), Map.entry("roi_heads", false));
    assertThat(groupsThatTrain("backbone-fpn")).containsOnly(Map.entry("body", true), Map.entry("denoise", true),
        Map.entry("fpn", true), Map.entry("rpn", false), Map.entry("roi_heads", false));
    assertThat(groupsThatTrain("heads-only")).containsOnly(Map.entry("body", false), Map.entry("denoise", false),
        Map.entry("fpn", false), Map.entry("rpn", true), Map.entry("roi_heads", true));
  }

  @Test
  void namesMapToPolicies() {
    assertThat(FreezePolicy.configNames()).containsExactly("all", "backbone-only", "backbone-fpn", "heads-only");
    assertThat(FreezePolicy.of("backbone-fpn")).isEqualTo(FreezePolicy.BACKBONE_FPN);
    assertThat(FreezePolicy.BACKBONE_FPN.allows("backbone.fpn.layer_blocks.0.weight")).isTrue();
    assertThat(FreezePolicy.BACKBONE_ONLY.allows("backbone.fpn.layer_blocks.0.weight")).isFalse();
    assertThat(FreezePolicy.BACKBONE_FPN.allows("rpn.head.conv.weight")).isFalse();
    assertThatThrownBy(() -> FreezePolicy.of("fpn-only")).hasMessageContaining("backbone-fpn");
  }
}
