package dev.lowlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.export.TestGainDenoiserProvider;
import dev.lowlight.model.weights.DType;
import dev.lowlight.model.weights.Safetensors;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.StateDictExporter;
import dev.lowlight.model.weights.TensorData;
import dev.lowlight.model.weights.TorchCheckpointWriter;
import dev.lowlight.model.weights.WeightsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights that are NaN or infinite are refused naming the tensor (an option lets them through for
 * debugging), and a model directory whose plugin is missing names the directory and the jar.
 */
class UntrustedWeightsTest {

  private static final String NAN_TENSOR = "roi_heads.box_predictor.bbox_pred.bias";

  @TempDir Path dir;

  /** The parameters of the small model, one of them all NaN. */
  private static StateDict poisoned(NDManager m) {
    MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(ModelDirectoryTest.SMALL, true)).build()
        .initialize(m);
    StateDict sd = StateDictExporter.export(model.parameters(), "");
    Map<String, TensorData> tensors = new LinkedHashMap<>(sd.tensors());
    TensorData t = tensors.get(NAN_TENSOR);
    float[] nan = new float[t.floats().length];
    Arrays.fill(nan, Float.NaN);
    tensors.put(NAN_TENSOR, TensorData.ofFloats(DType.FLOAT32, t.shape(), nan));
    return new StateDict(tensors, sd.metadata());
  }

  @Test
  void anImportedCheckpointWithNaNIsRefusedNamingTheTensor() throws IOException {
    Path pth = dir.resolve("diverged.pth");
    try (NDManager m = NDManager.newBaseManager()) {
      TorchCheckpointWriter.write(poisoned(m), pth);
    }
    ModelConfig base = ConfigLoader.parse(ModelDirectoryTest.SMALL, true);
    assertThatThrownBy(() -> TorchvisionImport.maskRcnn(pth, dir.resolve("out"), base, true, false))
        .isInstanceOf(WeightsException.class)
        .hasMessage(pth + ": tensor " + NAN_TENSOR + " has 16 NaN and 0 infinite values of 16 (the run it comes from"
            + " diverged?); --allow-non-finite loads it anyway");
    assertThat(dir.resolve("out")).doesNotExist();
    TorchvisionImport.maskRcnn(pth, dir.resolve("out"), base, true, true);
    assertThat(dir.resolve("out").resolve(ModelDirectory.WEIGHTS)).exists();
  }

  @Test
  void aModelDirectoryWithNaNIsRefusedNamingTheTensor() throws IOException {
    Path model = dir.resolve("model");
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn good = MaskRcnn.builder().setConfig(ConfigLoader.parse(ModelDirectoryTest.SMALL, true)).build()
          .initialize(m);
      ModelDirectory.save(good, model);
      Safetensors.write(poisoned(m), model.resolve(ModelDirectory.WEIGHTS));
    }
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ModelDirectory.load(model, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageStartingWith(model.resolve(ModelDirectory.WEIGHTS) + ": tensor " + NAN_TENSOR + " has 16 NaN");
      assertThat(ModelDirectory.load(model, PluginRegistry.load(), m, true)).isNotNull();
    }
  }

  @Test
  void aModelWhosePluginIsMissingNamesTheDirectoryAndTheJar() throws IOException {
    Path model = dir.resolve("gain-model");
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn withPlugin = MaskRcnn.builder().setConfig(ConfigLoader.parse(ModelDirectoryTest.SMALL
          + "denoise: {name: test-gain, stages: [res4]}\n", true))
          .optRegistry(PluginRegistry.builder().register(new TestGainDenoiserProvider()).build()).build().initialize(m);
      ModelDirectory.save(withPlugin, model);
    }
    // as if the plugin had come from a jar (here it was registered in code, which has no jar to name)
    ObjectMapper json = new ObjectMapper();
    ObjectNode description = (ObjectNode) json.readTree(model.resolve(ModelDirectory.DESCRIPTION).toFile());
    description.with("plugin_jars").put("denoise", "test-gain-0.0.1.jar");
    Files.writeString(model.resolve(ModelDirectory.DESCRIPTION), json.writeValueAsString(description));
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ModelDirectory.load(model, m)).isInstanceOf(ModelDirectoryException.class)
          .hasMessageStartingWith(model + ": needs the denoise plugin test-gain 0.0.1 from test-gain-0.0.1.jar, which is"
              + " not on the class path; add its jar (LOWLIGHT_CLASSPATH=/path/to/test-gain-0.0.1.jar bin/lowlight ...)."
              + " config.yaml: denoise.name: unknown denoiser plugin 'test-gain'");
    }
  }
}
