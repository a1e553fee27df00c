package dev.lowlight.cli;

import static dev.lowlight.cli.CliTest.lowlight;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart, shortened: every stage runs from the zoo model and every artifact it announces exists. */
class DemoTest {

  @TempDir Path dir;

  @Test
  @Tag("slow")
  void demoRunsEveryStageFromTheZooModelAndWritesTheSummary() throws Exception {
    CliTest.Run r = lowlight("demo", "--output", dir.toString(), "--iterations", "4", "--train-images", "4",
        "--val-images", "4");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
    for (String type : new String[] {"bbox", "segm"}) {
      for (String key : new String[] {"AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm",
          "ARl"}) {
        assertThat(s.get(type).has(key)).as("%s.%s", type, key).isTrue();
        assertThat(s.get("pretrained").get(type).get(key).asDouble()).as("pretrained %s.%s", type, key)
            .isBetween(-1.0, 1.0);
      }
    }
    assertThat(s.get("pretrained").get("model").asText()).isEqualTo(DemoCommand.ZOO_MODEL);
    assertThat(s.get("iterations").asInt()).isEqualTo(4);
    assertThat(dir.resolve("model.onnx")).isNotEmptyFile();
    assertThat(dir.resolve("run/model/model.safetensors")).isNotEmptyFile();
    // four rows (the first four validation scenes) of four 320-pixel panels
    BufferedImage overlay = ImageIO.read(dir.resolve("overlay.png").toFile());
    assertThat(overlay.getWidth()).isGreaterThanOrEqualTo(4 * 320);
    assertThat(overlay.getHeight()).isGreaterThanOrEqualTo(4 * 320);
    assertThat(r.out()).contains("segm AP50", "before", "after", "picture:", "ONNX model:", "summary:");
  }
}
