package dev.lowlight.cli;

import static dev.lowlight.cli.CliTest.lowlight;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart, shortened: every stage runs and every artifact it announces exists. */
class DemoTest {

  @TempDir Path dir;

  @Test
  @Tag("slow")
  void demoRunsEveryStageAndWritesTheSummary() throws Exception {
    CliTest.Run r = lowlight("demo", "--output", dir.toString(), "--iterations", "6", "--train-images", "4",
        "--val-images", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
    for (String type : new String[] {"bbox", "segm"}) {
      for (String key : new String[] {"AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm",
          "ARl"}) {
        assertThat(s.get(type).has(key)).as("%s.%s", type, key).isTrue();
      }
    }
    assertThat(s.get("iterations").asInt()).isEqualTo(6);
    assertThat(dir.resolve("model.onnx")).isNotEmptyFile();
    assertThat(dir.resolve("overlay.png")).isNotEmptyFile();
    assertThat(dir.resolve("pairs.png")).isNotEmptyFile();
    assertThat(dir.resolve("run/model/model.safetensors")).isNotEmptyFile();
    assertThat(r.out()).contains("ONNX model:", "overlay:", "summary:");
  }
}
