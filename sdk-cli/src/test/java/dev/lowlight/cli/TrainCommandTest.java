package dev.lowlight.cli;

import static dev.lowlight.cli.CliTest.lowlight;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lowlight train} end to end on a tiny model, and {@code --reproduce} of its run directory. */
class TrainCommandTest {

  @TempDir Path dir;

  private static final String CONFIG = """
      num_classes: 8
      class_names: [disc, ring, rectangle, triangle, star, ellipse, cross]
      backbone: {name: resnet18, options: {trainable_layers: 5, norm: batch}}
      neck: {name: fpn, options: {out_channels: 16}}
      transform: {min_size: 96, max_size: 128}
      rpn: {pre_nms_top_n_train: 100, post_nms_top_n_train: 50, pre_nms_top_n_test: 100, post_nms_top_n_test: 50,
            batch_size_per_image: 64, anchor_sizes: [[16], [32], [48], [64], [96]]}
      roi_heads:
        box_head: {name: two-mlp, options: {representation_size: 32}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [8], dim_reduced: 8}}
        batch_size_per_image: 32
      solver: {optimizer: adamw, base_lr: 0.001, max_iters: 2, warmup_iters: 1, ims_per_batch: 2}
      """;

  @Test
  void aReproducedRunEndsWithTheSameWeightsAndChangedDataIsRefused() throws Exception {
    Path data = dir.resolve("scenes");
    CliTest.Run scenes = lowlight("scenes", "--output", data.toString(), "--count", "4", "--width", "128", "--height",
        "96", "--min-objects", "2", "--max-objects", "3", "--min-size", "16", "--max-size", "40");
    assertThat(scenes.exit()).as(scenes.err()).isZero();
    Path config = dir.resolve("tiny.yaml");
    Files.writeString(config, CONFIG);
    Path ann = data.resolve("annotations.json");
    CliTest.Run first = lowlight("train", "--config", config.toString(), "--train-ann", ann.toString(),
        "--train-images", data.resolve("images").toString(), "--output", dir.resolve("run1").toString(), "--seed", "4",
        "--workers", "1");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("iterations in").contains("not validated (no --val-ann/--val-images)")
        .doesNotContain("-1.0000");

    Files.writeString(config, "garbage: [");  // the reproduction must use the recorded config, not this file
    CliTest.Run again = lowlight("train", "--reproduce", dir.resolve("run1").toString(), "--output",
        dir.resolve("run2").toString());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("run2/model/model.safetensors")),
        Files.readAllBytes(dir.resolve("run1/model/model.safetensors")))).as("same weights, byte for byte").isTrue();

    // the zoo's manifest records the run as it was: its two iterations and the packed file's hash
    CliTest.Run packed = lowlight("zoo", "pack", "--run", dir.resolve("run1").toString(), "--name", "tiny",
        "--description", "two iterations", "--output", dir.resolve("zoo").toString(), "--scenes",
        "128,96,2,3,16,40,4,1,4,1", "--command", "lowlight train --config tiny.yaml");
    assertThat(packed.exit()).as(packed.err()).isZero();
    var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("zoo/tiny/manifest.json")
        .toFile());
    assertThat(manifest.path("training").path("iterations").asInt()).isEqualTo(2);
    assertThat(manifest.path("weights").path("sha256").asText()).isEqualTo(java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(
            "zoo/tiny/model.safetensors")))));

    Files.writeString(ann, " ", StandardOpenOption.APPEND);
    CliTest.Run refused = lowlight("train", "--reproduce", dir.resolve("run1").toString(), "--output",
        dir.resolve("run3").toString());
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains(ann.toString(), "changed since the run");
    assertThat(dir.resolve("run3")).doesNotExist();
  }
}
