package dev.lowlight.data.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.data.coco.BoxXywh;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.coco.CocoResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CocoEvaluatorTest {

  static CocoDataset gt(String name) throws IOException {
    try (InputStream in = CocoEvaluatorTest.class.getResourceAsStream(
        "/coco/eval/" + name + "/gt.json")) {
      return CocoReader.readDataset(in, name);
    }
  }

  static List<CocoResult> dt(String name) throws IOException {
    try (InputStream in = CocoEvaluatorTest.class.getResourceAsStream(
        "/coco/eval/" + name + "/dt.json")) {
      return CocoReader.readResults(in, name);
    }
  }

  @Test
  void summaryTextHasPycocotoolsLayout() throws IOException {
    EvalResult r = CocoEvaluator.evaluate(gt("crowd"), dt("crowd"), IouType.BBOX);
    String[] lines = r.summaryText().split("\n");
    assertThat(lines).hasSize(12);
    // Values from crowd/expected.json (pycocotools), layout from COCOeval.summarize().
    assertThat(lines[0]).isEqualTo(
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.900");
    assertThat(lines[1]).isEqualTo(
        " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 1.000");
    assertThat(lines[3]).isEqualTo(
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000");
    assertThat(lines[6]).isEqualTo(
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.000");
    assertThat(lines[10]).isEqualTo(
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.900");
  }

  @Test
  void pythonRoundingOfThreeDecimals() {
    // 1.0005 is 1.000499999... in binary: Python prints 1.000 where %.3f would print 1.001.
    assertThat(EvalResult.format3(1.0005)).isEqualTo("1.000");
    assertThat(EvalResult.format3(0.0625)).isEqualTo("0.062");
    assertThat(EvalResult.format3(-1)).isEqualTo("-1.000");
  }

  @Test
  void jsonHasBothTypesWithStatsAndPerCategoryAp() throws IOException {
    Map<IouType, EvalResult> all = CocoEvaluator.evaluateAll(gt("random-101"), dt("random-101"));
    assertThat(all).containsOnlyKeys(IouType.BBOX, IouType.SEGM);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EvalJson.write(all, out);
    JsonNode json = new ObjectMapper().readTree(out.toByteArray());
    assertThat(json.fieldNames()).toIterable().containsExactly("bbox", "segm");
    for (IouType t : IouType.values()) {
      JsonNode n = json.get(t.jsonName());
      for (String key : EvalStats.KEYS) {
        assertThat(n.get(key).asDouble()).isEqualTo(all.get(t).stats().asMap().get(key));
      }
      assertThat(n.get("per_category_AP").get("7").asDouble()).isEqualTo(-1.0);
    }
  }

  @Test
  void resultOrderAcrossImagesDoesNotChangeTheAnswer() throws IOException {
    CocoDataset gt = gt("random-102");
    List<CocoResult> dt = new ArrayList<>(dt("random-102"));
    EvalResult a = CocoEvaluator.evaluate(gt, dt, IouType.SEGM);
    // Reversing keeps per-image order of equal scores reversed too, so only shuffle whole images.
    List<CocoResult> byImageDesc = new ArrayList<>(dt);
    byImageDesc.sort((x, y) -> Long.compare(y.imageId(), x.imageId()));
    EvalResult b = CocoEvaluator.evaluate(gt, byImageDesc, IouType.SEGM);
    assertThat(b.stats()).isEqualTo(a.stats());
    assertThat(b.perCategoryAp()).isEqualTo(a.perCategoryAp());
  }

  @Test
  void noDetectionsGiveZeroWhereThereIsGroundTruth() throws IOException {
    EvalResult r = CocoEvaluator.evaluate(gt("perfect"), Collections.emptyList(), IouType.BBOX);
    assertThat(r.stats().ap()).isEqualTo(0.0);
    assertThat(r.stats().ar100()).isEqualTo(0.0);
    assertThat(r.stats().apMedium()).isEqualTo(-1.0);
    assertThat(r.perCategoryAp().get(7L)).isEqualTo(-1.0);
  }

  @Test
  void detectionsOnUnknownImagesOrWithoutMasksAreRefused() throws IOException {
    CocoDataset gt = gt("perfect");
    List<CocoResult> unknown = List.of(CocoResult.ofBox(999, 1, new BoxXywh(0, 0, 1, 1), 1));
    assertThatThrownBy(() -> CocoEvaluator.evaluate(gt, unknown, IouType.BBOX))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image_id 999");
    List<CocoResult> mixed = new ArrayList<>(dt("perfect"));
    mixed.add(0, new CocoResult(1, 1, null, 0.5, mixed.get(0).segmentation()));
    mixed.add(CocoResult.ofBox(1, 1, new BoxXywh(0, 0, 1, 1), 1));
    assertThatThrownBy(() -> CocoEvaluator.evaluate(gt, mixed, IouType.SEGM))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no segmentation");
  }
}
