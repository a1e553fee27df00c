package dev.lowlight.data.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.coco.CocoResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with pycocotools' {@code COCOeval} on the eleven cases of {@code coco/eval/}: every
 * summary number and every per-category AP within 1e-4 of what pycocotools gave.
 */
class CocoEvalFixtureTest {

  private static final double TOL = 1e-4;
  private static final DoubleAccumulator MAX_DIFF = new DoubleAccumulator(Math::max, 0);

  static InputStream resource(String path) {
    InputStream in = CocoEvalFixtureTest.class.getResourceAsStream("/coco/eval/" + path);
    assertThat(in).as(path).isNotNull();
    return in;
  }

  @ParameterizedTest
  @ValueSource(strings = {"perfect", "empty-and-fp", "crowd", "maxdets", "ties-duplicates",
      "multipolygon", "bbox-only", "random-101", "random-102", "random-103", "random-104"})
  void matchesPycocotools(String name) throws IOException {
    CocoDataset gt;
    List<CocoResult> dt;
    JsonNode expected;
    try (InputStream g = resource(name + "/gt.json"); InputStream d = resource(name + "/dt.json");
        InputStream e = resource(name + "/expected.json")) {
      gt = CocoReader.readDataset(g, name + "/gt.json");
      dt = CocoReader.readResults(d, name + "/dt.json");
      expected = new ObjectMapper().readTree(e);
    }
    Map<IouType, EvalResult> results = CocoEvaluator.evaluateAll(gt, dt);
    int checked = 0;
    for (IouType type : IouType.values()) {
      JsonNode stats = expected.get(type.jsonName());
      if (stats == null) {
        assertThat(results).as(name + ": pycocotools has no " + type).doesNotContainKey(type);
        continue;
      }
      EvalResult r = results.get(type);
      assertThat(r).as(name + " " + type).isNotNull();
      Map<String, Double> got = r.stats().asMap();
      for (String key : EvalStats.KEYS) {
        check(name + " " + type + " " + key, got.get(key), stats.get(key).asDouble());
        checked++;
      }
      JsonNode perCat = expected.get(type.jsonName() + "_per_category_AP");
      assertThat(r.perCategoryAp()).hasSize(perCat.size());
      for (Iterator<Map.Entry<String, JsonNode>> it = perCat.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> c = it.next();
        Double ap = r.perCategoryAp().get(Long.parseLong(c.getKey()));
        assertThat(ap).as(name + " " + type + " category " + c.getKey()).isNotNull();
        check(name + " " + type + " AP of category " + c.getKey(), ap, c.getValue().asDouble());
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(16);
  }

  private static void check(String what, double got, double want) {
    double diff = Math.abs(got - want);
    MAX_DIFF.accumulate(diff);
    assertThat(diff).as(what + ": got " + got + ", pycocotools " + want).isLessThanOrEqualTo(TOL);
  }

  @AfterAll
  static void report() {
    System.out.println("COCO eval parity: max |java - pycocotools| = " + MAX_DIFF.get());
  }
}
