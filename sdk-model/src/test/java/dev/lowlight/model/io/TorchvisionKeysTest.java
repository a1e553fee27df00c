package dev.lowlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.TensorData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TorchvisionKeysTest {

  @ParameterizedTest(name = "{0} <-> {1}")
  @CsvSource({
      // 2019 checkpoint spelling,                  torchvision 0.13+ spelling
      "backbone.fpn.inner_blocks.0.weight,          backbone.fpn.inner_blocks.0.0.weight",
      "backbone.fpn.inner_blocks.3.bias,            backbone.fpn.inner_blocks.3.0.bias",
      "backbone.fpn.layer_blocks.2.weight,          backbone.fpn.layer_blocks.2.0.weight",
      "rpn.head.conv.weight,                        rpn.head.conv.0.0.weight",
      "rpn.head.conv.bias,                          rpn.head.conv.0.0.bias",
      "roi_heads.mask_head.mask_fcn1.weight,        roi_heads.mask_head.0.0.weight",
      "roi_heads.mask_head.mask_fcn4.bias,          roi_heads.mask_head.3.0.bias",
      "roi_heads.mask_head.mask_fcn12.weight,       roi_heads.mask_head.11.0.weight"})
  void everyRuleMapsEachGenerationToTheOther(String old, String modern) {
    assertThat(TorchvisionKeys.alternative(old)).isEqualTo(modern);
    assertThat(TorchvisionKeys.alternative(modern)).isEqualTo(old);
  }

  @ParameterizedTest
  @CsvSource({"backbone.body.layer1.0.conv1.weight", "rpn.head.cls_logits.weight", "roi_heads.box_head.fc6.weight",
      "roi_heads.mask_predictor.conv5_mask.weight", "roi_heads.mask_head.mask_fcn0.weight",
      "backbone.fpn.inner_blocks.0.1.weight"})
  void keysOutsideTheTableHaveNoAlternative(String key) {
    assertThat(TorchvisionKeys.alternative(key)).isNull();
  }

  @Test
  void normalizeRenamesOnlyWhatTheModelLacksAndDropsBatchCounters() {
    TensorData t = TensorData.ofFloats(new long[] {1}, new float[] {1});
    Map<String, TensorData> file = new LinkedHashMap<>();
    file.put("backbone.fpn.inner_blocks.0.0.weight", t);   // 0.14 -> model's 2019 name
    file.put("rpn.head.conv.weight", t);                   // 2019 -> model's 0.14 name
    file.put("roi_heads.mask_head.mask_fcn1.weight", t);   // 2019 -> 0.14
    file.put("roi_heads.box_head.fc6.weight", t);          // same in both
    file.put("backbone.body.bn1.num_batches_tracked", t);  // FrozenBatchNorm has none
    file.put("something.else", t);                         // kept, to be reported as unexpected
    Set<String> model = Set.of("backbone.fpn.inner_blocks.0.weight", "rpn.head.conv.0.0.weight",
        "roi_heads.mask_head.0.0.weight", "roi_heads.box_head.fc6.weight");
    TorchvisionKeys.Normalized n = TorchvisionKeys.normalize(new StateDict(file), model);
    assertThat(n.stateDict().names()).containsExactly("backbone.fpn.inner_blocks.0.weight",
        "rpn.head.conv.0.0.weight", "roi_heads.mask_head.0.0.weight", "roi_heads.box_head.fc6.weight",
        "something.else");
    assertThat(n.renamed()).hasSize(3).containsEntry("rpn.head.conv.weight", "rpn.head.conv.0.0.weight");
    assertThat(n.dropped()).containsExactly("backbone.body.bn1.num_batches_tracked");
  }

  @Test
  void aKeyInBothSpellingsIsNotShadowed() {
    TensorData a = TensorData.ofFloats(new long[] {1}, new float[] {1});
    TensorData b = TensorData.ofFloats(new long[] {1}, new float[] {2});
    Map<String, TensorData> file = new LinkedHashMap<>();
    file.put("rpn.head.conv.weight", a);
    file.put("rpn.head.conv.0.0.weight", b);
    TorchvisionKeys.Normalized n = TorchvisionKeys.normalize(new StateDict(file), Set.of("rpn.head.conv.0.0.weight"));
    assertThat(n.renamed()).isEmpty();
    assertThat(n.stateDict().get("rpn.head.conv.0.0.weight")).isEqualTo(b);
    assertThat(n.stateDict().names()).contains("rpn.head.conv.weight");
  }
}
