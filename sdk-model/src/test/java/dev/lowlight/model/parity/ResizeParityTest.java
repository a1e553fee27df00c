package dev.lowlight.model.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lowlight.data.transform.ResizeRule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The resized image size against torchvision's {@code GeneralizedRCNNTransform} for the sizes in
 * {@code parity.json}'s {@code resize_cases}. torchvision computes the scale in float32 ({@code
 * reciprocal(side) * min_size}) and floors {@code side * scale} in double; a scale computed in
 * double gives one pixel more for many sizes (61x83 → 94x128 instead of 94x127).
 */
class ResizeParityTest {

  @Test
  void resizedSizesMatchTorchvision() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (JsonNode c : new ParityFixture().meta.get("resize_cases")) {
      int[] ours = new ResizeRule(c.get("min_size").asInt(), c.get("max_size").asInt())
          .resizedSize(c.get("height").asInt(), c.get("width").asInt());
      int[] theirs = {c.get("resized").get(0).asInt(), c.get("resized").get(1).asInt()};
      if (ours[0] != theirs[0] || ours[1] != theirs[1]) {
        wrong.add(c.get("height") + "x" + c.get("width") + " -> " + ours[0] + "x" + ours[1] + " (torchvision "
            + theirs[0] + "x" + theirs[1] + ")");
      }
    }
    assertThat(wrong).as("sizes that differ from torchvision").isEmpty();
  }
}
