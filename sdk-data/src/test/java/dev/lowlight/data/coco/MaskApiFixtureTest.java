package dev.lowlight.data.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parity with pycocotools' mask API on the answers kept in {@code coco/mask_api.json}. */
class MaskApiFixtureTest {

  private static JsonNode fixture;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = MaskApiFixtureTest.class.getResourceAsStream("/coco/mask_api.json")) {
      fixture = new ObjectMapper().readTree(in);
    }
  }

  static double[] doubles(JsonNode n) {
    double[] v = new double[n.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = n.get(i).asDouble();
    }
    return v;
  }

  static int[] ints(JsonNode n) {
    int[] v = new int[n.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = n.get(i).asInt();
    }
    return v;
  }

  static List<double[]> polygons(JsonNode n) {
    List<double[]> out = new ArrayList<>();
    n.forEach(p -> out.add(doubles(p)));
    return out;
  }

  @Test
  void everyPolygonRasterisesExactlyAsPycocotools() {
    JsonNode masks = fixture.get("masks");
    assertThat(masks.size()).isEqualTo(40);
    for (int i = 0; i < masks.size(); i++) {
      JsonNode m = masks.get(i);
      int h = m.get("height").asInt();
      int w = m.get("width").asInt();
      Rle rle = MaskApi.toRle(new Segmentation.Polygons(polygons(m.get("polygons"))), h, w);
      String what = "mask " + i + " " + m.get("polygons");
      assertThat(MaskApi.toCompressedString(rle)).as(what).isEqualTo(m.get("rle_counts").asText());
      assertThat(rle.counts()).as(what).containsExactly(ints(m.get("uncompressed_counts")));
      assertThat(MaskApi.area(rle)).as(what).isEqualTo(m.get("area").asLong());
      assertThat(MaskApi.toBbox(rle)).as(what).containsExactly(doubles(m.get("bbox")), within(1e-4));

      byte[] pixels = MaskApi.decode(rle);
      long set = 0;
      for (byte b : pixels) {
        set += b;
      }
      assertThat(set).as(what).isEqualTo(m.get("pixels_column_major_nonzero").asLong());
      assertThat(MaskApi.encode(pixels, h, w)).as(what).isEqualTo(rle);
      assertThat(MaskApi.fromCompressedString(m.get("rle_counts").asText(), h, w)).as(what)
          .isEqualTo(rle);
    }
  }

  @Test
  void iouMatricesMatchPycocotools() {
    JsonNode c = fixture.get("iou");
    int h = c.get("height").asInt();
    int w = c.get("width").asInt();
    List<Rle> gt = new ArrayList<>();
    List<Rle> dt = new ArrayList<>();
    c.get("gt_polygons").forEach(p -> gt.add(MaskApi.fromPolygon(doubles(p), h, w)));
    c.get("dt_polygons").forEach(p -> dt.add(MaskApi.fromPolygon(doubles(p), h, w)));
    int[] crowdInts = ints(c.get("iscrowd"));
    boolean[] crowd = new boolean[crowdInts.length];
    for (int i = 0; i < crowd.length; i++) {
      crowd[i] = crowdInts[i] != 0;
    }
    double[][] gtBox = new double[gt.size()][];
    double[][] dtBox = new double[dt.size()][];
    for (int g = 0; g < gt.size(); g++) {
      gtBox[g] = MaskApi.toBbox(gt.get(g));
      assertThat(gtBox[g]).containsExactly(doubles(c.get("gt_bbox").get(g)), within(1e-4));
    }
    for (int d = 0; d < dt.size(); d++) {
      dtBox[d] = MaskApi.toBbox(dt.get(d));
      assertThat(dtBox[d]).containsExactly(doubles(c.get("dt_bbox").get(d)), within(1e-4));
    }
    double[][] maskIou = MaskApi.iou(dt, gt, crowd);
    double[][] boxIou = MaskApi.boxIou(dtBox, gtBox, crowd);
    for (int d = 0; d < dt.size(); d++) {
      assertThat(maskIou[d]).as("mask iou row " + d)
          .containsExactly(doubles(c.get("mask_iou").get(d)), within(1e-4));
      assertThat(boxIou[d]).as("box iou row " + d)
          .containsExactly(doubles(c.get("bbox_iou").get(d)), within(1e-4));
    }
  }
}
