package dev.lowlight.cli;

import static dev.lowlight.cli.CliTest.lowlight;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.weights.StateDictExporter;
import dev.lowlight.model.weights.TorchCheckpointWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "paper's recipe" run as written: the commands are read from README.md itself, with a
 * generated torchvision checkpoint (ResNet-50 FPN, 91 classes, seeded random weights, saved as
 * {@code torch.save} does) in place of the downloaded one, a few generated scenes in place of COCO,
 * and 2 iterations in place of 20,000. Then the exported file is run with ONNX Runtime.
 */
@Tag("slow")
class PaperRecipeTest {

  private static final Pattern FENCE = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path dir;

  @Test
  void readmeRecipeImportsFineTunesExportsAndPredicts() throws Exception {
    List<String> commands = recipeCommands();
    assertThat(commands).as("README's recipe").anyMatch(c -> c.startsWith("bin/lowlight import"))
        .anyMatch(c -> c.startsWith("bin/lowlight train")).anyMatch(c -> c.startsWith("bin/lowlight export"));

    writeTorchvisionCheckpoint(dir.resolve("maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth"));
    // COCO's stand-ins: four 320x240 scenes to train on, two dark ones to validate on.
    Path coco = dir.resolve("coco");
    run(List.of("scenes", "--output", coco.resolve("clean").toString(), "--count", "4"));
    Files.createDirectories(coco.resolve("annotations"));
    Files.move(coco.resolve("clean/annotations.json"), coco.resolve("annotations/instances_train2017.json"));
    Files.move(coco.resolve("clean/images"), coco.resolve("train2017"));
    run(List.of("scenes", "--output", dir.resolve("val").toString(), "--count", "2", "--seed", "9"));
    run(List.of("synth", "--ann", dir.resolve("val/annotations.json").toString(), "--images",
        dir.resolve("val/images").toString(), "--output", dir.resolve("dark").toString(), "--preset", "maet"));

    for (String command : commands) {
      if (command.startsWith("cat > ")) {
        writeHeredoc(command);
      } else {
        run(arguments(command));
      }
    }
    assertThat(dir.resolve("runs/wnlb/model/model.safetensors")).isNotEmptyFile();
    JsonNode metrics = new ObjectMapper().readTree(Files.readAllLines(dir.resolve("runs/wnlb/metrics.jsonl")).get(0));
    assertThat(metrics.path("loss").asDouble()).isFinite();
    assertThat(dir.resolve("wnlb.onnx")).isNotEmptyFile();

    run(List.of("predict", "--model", dir.resolve("wnlb.onnx").toString(), "--input",
        dir.resolve("dark/images").toString(), "--output", dir.resolve("predicted").toString()));
    JsonNode predictions = new ObjectMapper().readTree(dir.resolve("predicted/predictions.json").toFile());
    assertThat(predictions.isArray()).isTrue();
    for (JsonNode p : predictions) {
      assertThat(p.path("file_name").asText()).endsWith(".png");
      assertThat(p.path("score").asDouble()).isBetween(0.0, 1.0);
    }
  }

  /** The shell commands of README's recipe block, continuation lines joined, heredocs kept whole. */
  static List<String> recipeCommands() throws Exception {
    String readme = Files.readString(readme());
    int section = readme.indexOf("### The paper's recipe");
    assertThat(section).as("README section \"The paper's recipe\"").isNotNegative();
    Matcher m = FENCE.matcher(readme);
    assertThat(m.find(section)).as("a bash block in README's recipe section").isTrue();
    List<String> commands = new ArrayList<>();
    String[] lines = m.group(1).split("\n");
    for (int i = 0; i < lines.length; i++) {
      StringBuilder c = new StringBuilder(lines[i]);
      if (lines[i].contains("<<'YAML'")) {
        while (!lines[++i].equals("YAML")) {
          c.append('\n').append(lines[i]);
        }
      } else {
        while (c.toString().endsWith("\\")) {
          c.setLength(c.length() - 1);
          c.append(' ').append(lines[++i].strip());
        }
      }
      if (!c.toString().isBlank()) {
        commands.add(c.toString().strip());
      }
    }
    return commands;
  }

  private static Path readme() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("README.md"))) {
      p = p.getParent();
    }
    assertThat(p).as("README.md above the working directory").isNotNull();
    return p.resolve("README.md");
  }

  /** {@code cat > FILE <<'YAML' ... YAML}: the file, with the recipe's iterations cut to 2. */
  private void writeHeredoc(String command) throws Exception {
    String file = command.substring("cat > ".length(), command.indexOf(" <<"));
    String body = command.substring(command.indexOf('\n') + 1) + "\n";
    assertThat(body).contains("max_iters: 20000");
    Files.writeString(dir.resolve(file), body.replace("max_iters: 20000", "max_iters: 2"));
  }

  /** A {@code bin/lowlight ...} line as arguments, with relative paths under the test's folder. */
  private List<String> arguments(String command) {
    assertThat(command).startsWith("bin/lowlight ");
    List<String> args = new ArrayList<>();
    for (String a : command.substring("bin/lowlight ".length()).split("\\s+")) {
      boolean path = a.contains("/") || a.matches(".*\\.(pth|yaml|onnx|json)");
      args.add(path ? dir.resolve(a).toString() : a);
    }
    return args;
  }

  private static void run(List<String> args) {
    CliTest.Run r = lowlight(args.toArray(String[]::new));
    assertThat(r.exit()).as("lowlight %s\n%s", String.join(" ", args), r.err()).isZero();
  }

  /**
   * torchvision's {@code maskrcnn_resnet50_fpn} shapes and names (this SDK's defaults), seeded random
   * weights, frozen batch norms with plausible statistics.
   */
  private static void writeTorchvisionCheckpoint(Path file) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(17);
      MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(List.of(""), true)).build().initialize(manager);
      for (Map.Entry<String, ai.djl.nn.Parameter> e
          : dev.lowlight.api.nn.TorchNames.parameters(model.parameters()).entrySet()) {
        if (e.getKey().endsWith("running_var")) {
          e.getValue().getArray().set(manager.randomUniform(0.5f, 2f, e.getValue().getArray().getShape())
              .toFloatArray());
        } else if (e.getKey().endsWith("running_mean")) {
          e.getValue().getArray().set(manager.randomNormal(0f, 0.1f, e.getValue().getArray().getShape(),
              ai.djl.ndarray.types.DataType.FLOAT32).toFloatArray());
        }
      }
      TorchCheckpointWriter.write(StateDictExporter.export(model.parameters(), ""), file);
    }
  }
}
