package dev.lowlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import dev.lowlight.model.weights.Safetensors;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {

  /** A narrow model (as in MaskRcnnTest) with class names. */
  static final String SMALL = """
      num_classes: 4
      class_names: [cat, dog, bird]
      backbone: {name: resnet18}
      neck: {name: fpn, options: {out_channels: 32}}
      transform: {min_size: 96, max_size: 128}
      roi_heads:
        box_head: {name: two-mlp, options: {representation_size: 64}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [16, 16], dim_reduced: 16}}
        score_thresh: 0.0
      """;

  @TempDir static Path shared;
  static Path saved;

  @BeforeAll
  static void save() throws IOException {
    saved = shared.resolve("model");
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(SMALL, true)).build().initialize(m);
      ModelDirectory.save(model, saved, Map.of("source", "unit test"));
    }
  }

  @Test
  void writesTheThreeFilesWithVersionsPluginsAndClasses() throws IOException {
    assertThat(saved.resolve("config.yaml")).exists();
    assertThat(saved.resolve("model.safetensors")).exists();
    ModelDirectory.Info info = ModelDirectory.info(saved);
    assertThat(info.numClasses()).isEqualTo(4);
    assertThat(info.classNames()).containsExactly("cat", "dog", "bird");
    assertThat(info.plugins()).containsKeys("backbone", "neck", "rpn.head", "roi_heads.box_head",
        "roi_heads.mask_head").containsEntry("backbone", "resnet18 0.1.0");
    assertThat(info.sdkVersion()).isEqualTo(ModelDirectory.SDK_VERSION);
    assertThat(info.extra()).containsEntry("source", "unit test");
    StateDict sd = Safetensors.read(saved.resolve("model.safetensors"));
    assertThat(sd.metadata()).containsEntry("lowlight.class_names", "[\"cat\",\"dog\",\"bird\"]")
        .containsKeys("lowlight.sdk_version", "lowlight.plugins");
    assertThat(info.parameters()).isEqualTo(sd.size());
  }

  @Test
  void loadGivesTheSameParametersAndOutputs(@TempDir Path tmp) throws IOException {
    Random r = new Random(7);
    float[] px = new float[70 * 50 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    RgbImage image = new RgbImage(70, 50, px);
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn original = MaskRcnn.builder().setConfig(ConfigLoader.parse(SMALL, true)).build().initialize(m);
      ModelDirectory.save(original, tmp);
      MaskRcnn loaded = ModelDirectory.load(tmp, m);
      assertThat(loaded.config()).isEqualTo(original.config());
      Map<String, Parameter> pa = TorchNames.parameters(loaded.parameters());
      StateDict file = Safetensors.read(tmp.resolve("model.safetensors"));
      assertThat(pa.keySet()).isEqualTo(file.names());
      String key = "roi_heads.box_predictor.cls_score.weight";
      assertThat(pa.get(key).getArray().toFloatArray()).containsExactly(file.get(key).toFloatArray());
      MaskRcnn.Stages a = original.stages(image, null);
      MaskRcnn.Stages b = loaded.stages(image, null);
      assertThat(a.proposals().length).isPositive();
      assertThat(b.proposals()).containsExactly(a.proposals());
      assertThat(b.classLogits()).containsExactly(a.classLogits());
      assertThat(b.features().get(0)).containsExactly(a.features().get(0));
      Predictions p = original.predict(image);
      Predictions q = loaded.predict(image);
      assertThat(q.scores()).containsExactly(p.scores());
    }
  }

  @Test
  void missingFilesAreNamed(@TempDir Path tmp) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ModelDirectory.load(tmp.resolve("nope"), m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageContaining("nope").hasMessageContaining("no such model directory");
      Path dir = copy(tmp.resolve("a"));
      Files.delete(dir.resolve("model.safetensors"));
      assertThatThrownBy(() -> ModelDirectory.load(dir, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageContaining(dir.resolve("model.safetensors").toString()).hasMessageContaining("missing");
      Path dir2 = copy(tmp.resolve("b"));
      Files.delete(dir2.resolve("config.yaml"));
      assertThatThrownBy(() -> ModelDirectory.load(dir2, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageContaining(dir2.resolve("config.yaml").toString());
    }
  }

  @Test
  void corruptFilesAreNamed(@TempDir Path tmp) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Path dir = copy(tmp.resolve("a"));
      byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
      Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
      assertThatThrownBy(() -> ModelDirectory.load(dir, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageContaining(dir.resolve("model.safetensors").toString());
      Path dir2 = copy(tmp.resolve("b"));
      Files.writeString(dir2.resolve("model.json"), "{not json");
      assertThatThrownBy(() -> ModelDirectory.load(dir2, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageContaining(dir2.resolve("model.json").toString()).hasMessageContaining("not valid JSON");
      Path dir3 = copy(tmp.resolve("c"));
      Files.writeString(dir3.resolve("config.yaml"), "num_classes: [oops]\n");
      assertThatThrownBy(() -> ModelDirectory.load(dir3, m)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("config.yaml");
    }
  }

  @Test
  void weightsThatDoNotMatchTheConfigAreRefusedWithTheKeys(@TempDir Path tmp) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      // a config with a wider box head than the weights
      Path dir = copy(tmp.resolve("a"));
      ModelConfig wider = ConfigLoader.parse(SMALL.replace("representation_size: 64", "representation_size: 32"), true);
      ConfigLoader.write(wider, dir.resolve("config.yaml"));
      assertThatThrownBy(() -> ModelDirectory.load(dir, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageContaining(dir.resolve("model.safetensors").toString())
          .hasMessageContaining("size mismatch for roi_heads.box_head.fc6.weight");
      // a weights file with one tensor too few and one too many
      Path dir2 = copy(tmp.resolve("b"));
      StateDict sd = Safetensors.read(dir2.resolve("model.safetensors"));
      Map<String, TensorData> t = new LinkedHashMap<>(sd.tensors());
      t.remove("rpn.head.cls_logits.bias");
      t.put("rpn.head.extra", TensorData.ofFloats(new long[] {1}, new float[] {0}));
      Safetensors.write(new StateDict(t, sd.metadata()), dir2.resolve("model.safetensors"));
      assertThatThrownBy(() -> ModelDirectory.load(dir2, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageContaining("Missing key(s) in state_dict: \"rpn.head.cls_logits.bias\"")
          .hasMessageContaining("Unexpected key(s) in state_dict: \"rpn.head.extra\"");
      // class names that differ between the files
      Path dir3 = copy(tmp.resolve("c"));
      ConfigLoader.write(ConfigLoader.parse(SMALL.replace("[cat, dog, bird]", "[dog, cat, bird]"), true),
          dir3.resolve("config.yaml"));
      assertThatThrownBy(() -> ModelDirectory.load(dir3, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageContaining("classes differ").hasMessageContaining("[cat, dog, bird]")
          .hasMessageContaining("[dog, cat, bird]");
    }
  }

  private static Path copy(Path to) throws IOException {
    Files.createDirectories(to);
    for (String f : new String[] {"config.yaml", "model.safetensors", "model.json"}) {
      Files.copy(saved.resolve(f), to.resolve(f));
    }
    return to;
  }
}
