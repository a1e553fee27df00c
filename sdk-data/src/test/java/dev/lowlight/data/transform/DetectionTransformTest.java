package dev.lowlight.data.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.structures.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against torchvision's GeneralizedRCNNTransform (tools/fixtures/make_transform_fixtures.py). */
class DetectionTransformTest {

  @Test
  void matchesTorchvisionResizeAndPadding() throws IOException {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/torchvision/transform.json")) {
      root = new ObjectMapper().readTree(in);
    }
    assertThat(root.get("cases")).hasSizeGreaterThanOrEqualTo(4);
    for (JsonNode c : root.get("cases")) {
      int h = c.get("height").asInt();
      int w = c.get("width").asInt();
      float[] chw = floats(c.get("image"));
      RgbImage image = new RgbImage(w, h, toHwc(chw, h, w));
      DetectionTransform t = DetectionTransform.of(c.get("min_size").asInt(), c.get("max_size").asInt(),
          List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0), 32);
      DetectionTransform.Prepared p = t.prepare(image);
      String label = h + "x" + w + " min " + c.get("min_size") + " max " + c.get("max_size");
      assertThat(new int[] {p.resizedHeight(), p.resizedWidth(), p.paddedHeight(), p.paddedWidth()}).as(label)
          .containsExactly(c.get("resized_height").asInt(), c.get("resized_width").asInt(),
              c.get("padded_height").asInt(), c.get("padded_width").asInt());
      float[] expected = floats(c.get("resized"));
      int rh = p.resizedHeight();
      int rw = p.resizedWidth();
      for (int ch = 0; ch < 3; ch++) {
        for (int y = 0; y < rh; y++) {
          for (int x = 0; x < rw; x++) {
            assertThat(p.chw()[(ch * p.paddedHeight() + y) * p.paddedWidth() + x]).as("%s at c%d y%d x%d", label, ch, y, x)
                .isCloseTo(expected[(ch * rh + y) * rw + x], within(1e-5f));
          }
        }
        for (int y = rh; y < p.paddedHeight(); y++) {
          assertThat(p.chw()[(ch * p.paddedHeight() + y) * p.paddedWidth()]).as("padding is zero").isZero();
        }
      }
    }
  }

  @Test
  void normalisesBeforeResizing() {
    RgbImage image = new RgbImage(1, 1, new float[] {0.5f, 0.5f, 0.5f});
    DetectionTransform t = DetectionTransform.of(2, 4, List.of(0.25, 0.5, 0.75), List.of(0.5, 0.5, 0.25), 1);
    DetectionTransform.Prepared p = t.prepare(image);
    assertThat(p.resizedHeight()).isEqualTo(2);
    assertThat(p.chw()).containsExactly(0.5f, 0.5f, 0.5f, 0.5f, 0f, 0f, 0f, 0f, -1f, -1f, -1f, -1f);
  }

  @Test
  void boxesMapBackToTheOriginal() {
    RgbImage image = RgbImage.black(40, 20);
    DetectionTransform t = DetectionTransform.of(40, 100, List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0), 32);
    DetectionTransform.Prepared p = t.prepare(image);
    float[] boxes = {8, 4, 80, 40};
    DetectionTransform.toOriginal(boxes, p);
    assertThat(boxes).containsExactly(4f, 2f, 40f, 20f);
  }

  @Test
  void rejectsBadSettings() {
    assertThatThrownBy(() -> new ResizeRule(0, 10)).hasMessageContaining("min_size");
    assertThatThrownBy(() -> DetectionTransform.of(10, 20, List.of(0.0, 0.0, 0.0), List.of(1.0, 0.0, 1.0), 32))
        .hasMessageContaining("std");
  }

  private static float[] floats(JsonNode array) {
    float[] f = new float[array.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) array.get(i).asDouble();
    }
    return f;
  }

  private static float[] toHwc(float[] chw, int h, int w) {
    float[] hwc = new float[chw.length];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < h * w; i++) {
        hwc[i * 3 + c] = chw[c * h * w + i];
      }
    }
    return hwc;
  }
}
