package dev.lowlight.model.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExporterTest {

  @TempDir
  Path dir;

  @Test
  void foldingRemovesEveryBatchNormAndKeepsTheOutputs() throws Exception {
    ModelConfig config = ConfigLoader.parse(ExportFixtures.SMALL, true);
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(m);
      ExportFixtures.randomize(model, 21);
      OnnxExporter.Built plain = OnnxExporter.build(model, ExportOptions.defaults().withoutFolding());
      OnnxExporter.Built folded = OnnxExporter.build(model, ExportOptions.defaults());
      assertThat(count(plain.model(), "BatchNormalization")).isEqualTo(20);
      assertThat(folded.folded()).isEqualTo(20);
      assertThat(count(folded.model(), "BatchNormalization")).isZero();
      assertThat(folded.model().getGraph().getNodeCount()).isEqualTo(plain.model().getGraph().getNodeCount() - 20);
      assertThat(folded.model().getGraph().getInitializerList()).noneMatch(t -> t.getName().endsWith("running_var"));
      RgbImage image = ExportFixtures.scene(120, 90, 4);
      // no runtime optimisation, so the runtime's own Conv+BN fusion cannot hide a wrong fold
      try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession a = env.createSession(plain.model().toByteArray(), so);
            OrtSession b = env.createSession(folded.model().toByteArray(), so)) {
          Predictions pa = ExportFixtures.run(a, image);
          Predictions pb = ExportFixtures.run(b, image);
          assertThat(pa.size()).isGreaterThan(10);
          OnnxExportParityTest.Stats s = new OnnxExportParityTest.Stats();
          OnnxExportParityTest.compare(pa, pb, image, s);
          assertThat(s.maxBox).isLessThan(1e-3);
        }
      }
    }
  }

  @Test
  void writesTheFileWithMetadataAndTheDeclaredContract() throws Exception {
    ModelConfig config = ConfigLoader.parse(ExportFixtures.SMALL, true);
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(m);
      Path file = dir.resolve("sub/model.onnx");
      ExportResult r = OnnxExporter.export(model, file, ExportOptions.defaults());
      assertThat(file).exists();
      assertThat(r.bytes()).isEqualTo(Files.size(file));
      assertThat(r.nodes()).isGreaterThan(100);
      try (var files = Files.list(file.getParent())) {
        assertThat(files).as("no temporary file left behind").containsExactly(file);
      }
      OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
      assertThat(proto.getIrVersion()).isEqualTo(8);
      assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(17);
      try (OrtSession s = OrtEnvironment.getEnvironment().createSession(file.toString(),
          new OrtSession.SessionOptions())) {
        Map<String, String> meta = s.getMetadata().getCustomMetadata();
        assertThat(meta.get(OnnxExporter.META_CLASS_NAMES)).isEqualTo("[\"__background__\",\"cat\",\"dog\",\"car\"]");
        assertThat(ConfigLoader.parse(meta.get(OnnxExporter.META_CONFIG), true)).isEqualTo(config);
        assertThat(meta).containsKeys(OnnxExporter.META_SDK_VERSION, OnnxExporter.META_EXPORT_DATE,
            OnnxExporter.META_INPUT);
        assertThat(meta.get(OnnxExporter.META_NUM_CLASSES)).isEqualTo("4");
        // filled in when sdk-api was built, not "${project.version}"
        assertThat(meta.get(OnnxExporter.META_SDK_VERSION)).matches("\\d+\\.\\d+\\.\\d+(-\\S+)?")
            .isEqualTo(dev.lowlight.api.LowlightVersion.api());
        assertThat(proto.getProducerVersion()).isEqualTo(dev.lowlight.api.LowlightVersion.api());
        TensorInfo in = (TensorInfo) s.getInputInfo().get(OnnxExporter.INPUT).getInfo();
        assertThat(in.getShape()).containsExactly(1, 3, -1, -1);
        Map<String, NodeInfo> out = s.getOutputInfo();
        assertThat(out).containsOnlyKeys(OnnxExporter.BOXES, OnnxExporter.LABELS, OnnxExporter.SCORES,
            OnnxExporter.MASKS);
        assertThat(((TensorInfo) out.get(OnnxExporter.LABELS).getInfo()).type)
            .isEqualTo(ai.onnxruntime.OnnxJavaType.INT64);
      }
      byte[] fixed = OnnxExporter.toBytes(model, ExportOptions.defaults().withStaticSize("90x120"));
      try (OrtSession s = OrtEnvironment.getEnvironment().createSession(fixed, new OrtSession.SessionOptions())) {
        assertThat(((TensorInfo) s.getInputInfo().get(OnnxExporter.INPUT).getInfo()).getShape())
            .containsExactly(1, 3, 90, 120);
      }
    }
  }

  @Test
  void badOptionsAndUninitialisedModelsAreClearErrors() {
    assertThatThrownBy(() -> ExportOptions.defaults().withStaticSize("800by600"))
        .hasMessageContaining("HEIGHTxWIDTH").hasMessageContaining("800by600");
    assertThatThrownBy(() -> ExportOptions.defaults().withStaticSize(0, 5)).hasMessageContaining("0x5");
    MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(ExportFixtures.SMALL, true)).build();
    assertThatThrownBy(() -> OnnxExporter.build(model, ExportOptions.defaults()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("initialize");
  }

  private static long count(OnnxMl.ModelProto model, String op) {
    return model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
  }
}
