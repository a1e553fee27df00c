package com.example.lowlight.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.eval.EvalStats;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.model.weights.Safetensors;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.train.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the program at a tiny size once and checks what it leaves behind. */
class LowLightFineTuningTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PRETRAIN = 4;
  private static final int FINETUNE = 3;

  @TempDir static Path dir;
  static Path out;

  @BeforeAll
  static void runProgram() throws IOException {
    out = dir.resolve("out");
    LowLightFineTuning.main(new String[] {"--output", out.toString(), "--train-count", "4", "--val-count", "2",
        "--pretrain-iterations", String.valueOf(PRETRAIN), "--finetune-iterations", String.valueOf(FINETUNE),
        "--device", "cpu"});
  }

  @Test
  void metricsAreCocoNumbersForBothRows() throws IOException {
    for (String row : List.of("eval-pretrained.json", "eval-finetuned.json")) {
      JsonNode eval = JSON.readTree(out.resolve(row).toFile());
      for (String type : List.of("bbox", "segm")) {
        JsonNode stats = eval.get(type);
        assertThat(stats).as(row + " " + type).isNotNull();
        for (String key : EvalStats.KEYS) {
          double v = stats.get(key).asDouble(Double.NaN);
          // pycocotools gives -1 where an area range has no ground truth; AP over all areas always has some.
          if (key.equals("AP") || key.equals("AP50") || key.equals("AP75") || key.startsWith("AR1")) {
            assertThat(v).as(row + " " + type + "." + key).isBetween(0.0, 1.0);
          } else {
            assertThat(v == -1.0 || v >= 0 && v <= 1).as(row + " " + type + "." + key + " = " + v).isTrue();
          }
        }
      }
    }
  }

  @Test
  void fineTuningChangedTheBackboneAndNothingElse() throws IOException {
    StateDict pretrained = Safetensors.read(out.resolve("pretrain/model").resolve(ModelDirectory.WEIGHTS));
    StateDict finetuned = Safetensors.read(out.resolve("finetune/model").resolve(ModelDirectory.WEIGHTS));
    assertThat(finetuned.names()).isEqualTo(pretrained.names());

    List<String> changedBody = new ArrayList<>();
    List<String> changedDenoise = new ArrayList<>();
    int bodyWeights = 0;
    for (String name : pretrained.names()) {
      boolean same = pretrained.get(name).equals(finetuned.get(name));
      if (name.startsWith("backbone.body.")) {
        if (name.endsWith(".weight") && pretrained.get(name).rank() == 4) {
          bodyWeights++;
        }
        if (!same) {
          changedBody.add(name);
        }
      } else if (name.startsWith("backbone.denoise.")) {
        if (!same) {
          changedDenoise.add(name);
        }
      } else {
        assertThat(same).as(name + " is outside the backbone and must keep its pretrained value").isTrue();
      }
    }
    // AdamW moves every parameter with a non-zero gradient; every conv of the body trains (trainable_layers: 5).
    assertThat(changedBody.stream().filter(n -> n.endsWith(".weight") && pretrained.get(n).rank() == 4).count())
        .isEqualTo(bodyWeights);
    assertThat(changedDenoise).anyMatch(n -> n.matches("backbone\\.denoise\\.res[45]\\..*"));
  }

  @Test
  void runsRecordTheirFreezePolicyAndLength() throws IOException {
    assertThat(JSON.readTree(out.resolve("pretrain/run.json").toFile()).get("freeze_policy").asText()).isEqualTo("all");
    JsonNode finetune = JSON.readTree(out.resolve("finetune/run.json").toFile());
    assertThat(finetune.get("freeze_policy").asText()).isEqualTo("backbone-only");
    assertThat(finetune.get("trainable_parameters").get("roi_heads").asLong()).isZero();
    assertThat(finetune.get("trainable_parameters").get("backbone.denoise").asLong()).isPositive();
    assertThat(trainLines(out.resolve("pretrain/metrics.jsonl"))).isEqualTo(PRETRAIN);
    assertThat(trainLines(out.resolve("finetune/metrics.jsonl"))).isEqualTo(FINETUNE);
  }

  @Test
  void theDarkTwinIsDarkerAndKeepsTheAnnotations() throws IOException {
    Path clean = out.resolve("data/val/clean");
    Path dark = out.resolve("data/val/dark");
    assertThat(CocoReader.readDataset(dark.resolve(SceneDataset.ANNOTATIONS)))
        .isEqualTo(CocoReader.readDataset(clean.resolve(SceneDataset.ANNOTATIONS)));
    try (Stream<Path> files = Files.list(clean.resolve(SceneDataset.IMAGES))) {
      for (Path c : files.toList()) {
        double meanClean = mean(ImageFiles.read(c));
        double meanDark = mean(ImageFiles.read(dark.resolve(SceneDataset.IMAGES).resolve(c.getFileName())));
        assertThat(meanDark).as(c.getFileName().toString()).isLessThan(meanClean / 2);
      }
    }
  }

  @Test
  void theFineTunedModelDirectoryLoadsAndScoresAsReported() throws IOException {
    Path model = out.resolve("finetune/model");
    JsonNode reported = JSON.readTree(out.resolve("eval-finetuned.json").toFile());
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      MaskRcnn again = ModelDirectory.load(model, manager);
      assertThat(again.config().denoise().name()).isEqualTo("weighted-non-local");
      assertThat(again.config().solver().trainable()).isEqualTo("backbone-only");
      Path val = out.resolve("data/val/dark");
      Validator.Result r = new Validator(CocoReader.readDataset(val.resolve(SceneDataset.ANNOTATIONS)),
          val.resolve(SceneDataset.IMAGES)).evaluate(again);
      // The saved directory is the model that was evaluated: same predictions, same numbers.
      for (String key : EvalStats.KEYS) {
        assertThat(r.bbox().stats().asMap().get(key)).as("bbox." + key)
            .isEqualTo(reported.get("bbox").get(key).asDouble());
        if (r.segm() != null) {
          assertThat(r.segm().stats().asMap().get(key)).as("segm." + key)
              .isEqualTo(reported.get("segm").get(key).asDouble());
        }
      }
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> Settings.parse("--iterations", "3")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown argument '--iterations'");
    assertThatThrownBy(() -> Settings.parse("--seed", "x")).hasMessage("--seed: not a whole number: 'x'");
    assertThatThrownBy(() -> Settings.parse("--train-ann", "a.json"))
        .hasMessageContaining("--train-ann goes with --train-images");
  }

  private static long trainLines(Path metrics) throws IOException {
    return Files.readAllLines(metrics).stream().filter(l -> l.contains("\"type\":\"train\"")).count();
  }

  private static double mean(RgbImage image) {
    double s = 0;
    for (float v : image.pixels()) {
      s += v;
    }
    return s / image.pixels().length;
  }
}
