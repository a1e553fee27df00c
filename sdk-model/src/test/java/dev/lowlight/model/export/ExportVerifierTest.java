package dev.lowlight.model.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.model.DenoiserReports;
import dev.lowlight.model.MaskRcnn;
import org.junit.jupiter.api.Test;

/** The check {@code lowlight export} runs before it keeps a file. */
class ExportVerifierTest {

  private static final String WITH_GAIN = ExportFixtures.SMALL + "denoise: {name: test-gain, stages: [res2, res5]}\n";

  @Test
  void aRightExportPassesBlockByBlockAndEndToEnd() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(WITH_GAIN, true))
          .optRegistry(PluginRegistry.builder().register(new TestGainDenoiserProvider()).build()).build().initialize(m);
      ExportFixtures.randomize(model, 21);
      ExportOptions options = ExportOptions.defaults();
      ExportVerifier.Report r = ExportVerifier.verify(model, OnnxExporter.build(model, options).model(), options);
      assertThat(r.images()).isEqualTo(2);
      assertThat(r.blocks()).as("the backbone and the heads are checked on each image").isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  void aPluginWhoseLoweringForgetsATermIsNamed() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(WITH_GAIN, true))
          .optRegistry(PluginRegistry.builder().register(new TestGainDenoiserProvider(true)).build()).build()
          .initialize(m);
      ExportFixtures.randomize(model, 22);
      ExportOptions options = ExportOptions.defaults();
      assertThatThrownBy(() -> ExportVerifier.verify(model, OnnxExporter.build(model, options).model(), options))
          .isInstanceOf(ExportVerificationException.class)
          .hasMessageStartingWith("ONNX Runtime and DJL differ first in block backbone.denoise.res2 (denoise plugin"
              + " test-gain 0.0.1 from registered in code) on a 131x97 image: output 0: ")
          .hasMessageContaining("its ONNX lowering does not compute what its forward does")
          .extracting(e -> ((ExportVerificationException) e).block()).isEqualTo("backbone.denoise.res2");
    }
  }

  @Test
  void everyDenoiserReportsThroughTheInspectHook() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(WITH_GAIN, true))
          .optRegistry(PluginRegistry.builder().register(new TestGainDenoiserProvider()).build()).build().initialize(m);
      assertThat(DenoiserReports.flat(model)).containsOnlyKeys("backbone.denoise.res2.gain.mean",
          "backbone.denoise.res5.gain.mean").containsValue(1.0);
    }
  }
}
