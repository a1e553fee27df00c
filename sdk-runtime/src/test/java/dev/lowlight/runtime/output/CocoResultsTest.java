package dev.lowlight.runtime.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Segmentation;
import dev.lowlight.runtime.BitMask;
import dev.lowlight.runtime.ContractModels;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.Instance;
import dev.lowlight.runtime.LowlightPredictor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoResultsTest {

  @TempDir Path dir;

  @Test
  void resultsCarryXywhBoxesAndStringRle() throws Exception {
    int h = 50;
    int w = 70;
    try (LowlightPredictor p = LowlightPredictor.open(ContractModels.dynamic(dir))) {
      Detections d = p.predict(ContractModels.uniform(h, w, 0.5f), h, w);
      List<CocoResult> results = CocoResults.from(42, d, Map.of(1, 17L, 2, 18L, 3, 3L));
      assertThat(results).hasSize(3);
      for (int i = 0; i < 3; i++) {
        Instance in = d.instances().get(i);
        CocoResult r = results.get(i);
        assertThat(r.imageId()).isEqualTo(42);
        assertThat(r.categoryId()).isEqualTo(Map.of(1, 17L, 2, 18L, 3, 3L).get(in.label()));
        assertThat(r.bbox().x()).isCloseTo(in.box().x1(), within(1e-6));
        assertThat(r.bbox().w()).isCloseTo(in.box().x2() - in.box().x1(), within(1e-4));
        assertThat(r.bbox().h()).isCloseTo(in.box().y2() - in.box().y1(), within(1e-4));
        assertThat(r.score()).isEqualTo(in.score());
        Segmentation.CompressedRle seg = (Segmentation.CompressedRle) r.segmentation();
        byte[] decoded = MaskApi.decode(MaskApi.fromCompressedString(seg.counts(), seg.height(), seg.width()));
        assertThat(BitMask.fromColumnMajor(decoded, h, w)).isEqualTo(in.fullMask());
      }

      Path json = dir.resolve("results.json");
      CocoResults.write(results, json);
      JsonNode tree = new ObjectMapper().readTree(json.toFile());
      assertThat(tree.isArray()).isTrue();
      assertThat(tree.size()).isEqualTo(3);
      JsonNode first = tree.get(0);
      assertThat(first.get("image_id").asLong()).isEqualTo(42);
      assertThat(first.get("category_id").asLong()).isEqualTo(3);
      assertThat(first.get("bbox").size()).isEqualTo(4);
      assertThat(first.get("segmentation").get("size").get(0).asInt()).isEqualTo(h);
      assertThat(first.get("segmentation").get("counts").isTextual()).isTrue();
      assertThat(first.get("segmentation").get("counts").asText()).isEqualTo(d.instances().get(0).rleCounts());
    }
  }

  @Test
  void identityMapAndMissingCategory() throws Exception {
    try (LowlightPredictor p = LowlightPredictor.open(ContractModels.dynamic(dir))) {
      Detections d = p.predict(ContractModels.uniform(20, 20, 0.5f), 20, 20);
      assertThat(CocoResults.from(1, d, null)).extracting(CocoResult::categoryId).containsExactly(3L, 1L, 2L);
      assertThatThrownBy(() -> CocoResults.from(1, d, Map.of(1, 1L))).hasMessageContaining("label 3 (car)");
      assertThat(CocoResults.from(1, p.predict(new float[3 * 4], 2, 2), null)).isEmpty();
    }
  }
}
