package dev.lowlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.weights.ForbiddenGlobalException;
import dev.lowlight.model.weights.LoadReport;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.StateDictExporter;
import dev.lowlight.model.weights.TensorData;
import dev.lowlight.model.weights.TorchCheckpointReader;
import dev.lowlight.model.weights.WeightsException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchvisionImportTest {

  private static final ModelConfig SMALL = ConfigLoader.parse(ModelDirectoryTest.SMALL, true);

  @Test
  void ninetyOneClassesGetCocoNamesOtherCountsKeepOrInventNames() throws WeightsException {
    Path src = Path.of("x.pth");
    ModelConfig coco = TorchvisionImport.configFor(classes(91), src, SMALL);
    assertThat(coco.numClasses()).isEqualTo(91);
    assertThat(coco.classNames()).hasSize(90).startsWith("person", "bicycle").contains("N/A").endsWith("toothbrush");
    assertThat(coco.classNames().get(11)).isEqualTo("N/A"); // label 12 has no COCO category
    assertThat(TorchvisionImport.configFor(classes(4), src, SMALL).classNames()).containsExactly("cat", "dog", "bird");
    assertThat(TorchvisionImport.configFor(classes(3), src, SMALL).classNames()).containsExactly("class_1", "class_2");
  }

  @Test
  void aCheckpointWithoutABoxPredictorIsNotAMaskRcnn() {
    StateDict sd = new StateDict(Map.of("conv1.weight", TensorData.ofFloats(new long[] {1, 1, 1, 1}, new float[1])));
    assertThatThrownBy(() -> TorchvisionImport.configFor(sd, Path.of("resnet50.pth"), SMALL))
        .isInstanceOf(WeightsException.class).hasMessageContaining("resnet50.pth")
        .hasMessageContaining("roi_heads.box_predictor.cls_score.weight").hasMessageContaining("backboneWeights");
  }

  @Test
  void aMaskRcnnRoundTripsThroughImportInBothSpellings(@TempDir Path tmp) throws IOException {
    StateDict sdk;
    try (NDManager m = NDManager.newBaseManager()) {
      sdk = StateDictExporter.export(MaskRcnn.builder().setConfig(SMALL).build().initialize(m).parameters(), "");
    }
    // the same weights in the other generation's spelling wherever a rule applies
    Map<String, TensorData> other = new LinkedHashMap<>();
    sdk.tensors().forEach((k, v) -> {
      String alt = TorchvisionKeys.alternative(k);
      other.put(alt == null ? k : alt, v);
    });
    ImportReport r = TorchvisionImport.maskRcnn(new StateDict(other), Path.of("mine.pth"), tmp.resolve("out"), SMALL,
        true);
    assertThat(r.load().isClean()).isTrue();
    assertThat(r.renamed()).containsEntry("rpn.head.conv.weight", "rpn.head.conv.0.0.weight")
        .containsEntry("roi_heads.mask_head.mask_fcn1.weight", "roi_heads.mask_head.0.0.weight")
        .containsEntry("backbone.fpn.inner_blocks.0.0.weight", "backbone.fpn.inner_blocks.0.weight");
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn back = ModelDirectory.load(tmp.resolve("out"), m);
      assertThat(StateDictExporter.export(back.parameters(), "").tensors()).isEqualTo(sdk.tensors());
    }
    // strict import refuses an unexpected key and writes nothing
    other.put("roi_heads.extra.weight", TensorData.ofFloats(new long[] {1}, new float[1]));
    assertThatThrownBy(() -> TorchvisionImport.maskRcnn(new StateDict(other), Path.of("mine.pth"), tmp.resolve("bad"),
        SMALL, true)).isInstanceOf(WeightsException.class).hasMessageContaining("mine.pth")
        .hasMessageContaining("Unexpected key(s) in state_dict: \"roi_heads.extra.weight\"");
    assertThat(tmp.resolve("bad")).doesNotExist();
    ImportReport lax = TorchvisionImport.maskRcnn(new StateDict(other), Path.of("mine.pth"), tmp.resolve("lax"),
        SMALL, false);
    assertThat(lax.load().unexpectedKeys()).containsExactly("roi_heads.extra.weight");
  }

  @Test
  void anImagenetResnetLoadsIntoTheBodyOnlyAndItsClassifierIsUnexpected() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(SMALL).build().initialize(m);
      Map<String, Parameter> params = TorchNames.parameters(model.parameters());
      float[] fpnBefore = params.get("backbone.fpn.inner_blocks.0.weight").getArray().toFloatArray();
      Map<String, TensorData> imagenet = new LinkedHashMap<>();
      params.forEach((k, p) -> {
        if (k.startsWith("backbone.body.")) {
          long[] shape = p.getArray().getShape().getShape();
          float[] v = new float[(int) TensorData.numel(shape)];
          java.util.Arrays.fill(v, 0.25f);
          imagenet.put(k.substring("backbone.body.".length()), TensorData.ofFloats(shape, v));
        }
      });
      imagenet.put("bn1.num_batches_tracked", TensorData.ofLongs(dev.lowlight.model.weights.DType.INT64, new long[0],
          new long[] {7}));
      imagenet.put("fc.weight", TensorData.ofFloats(new long[] {2, 512}, new float[1024]));
      imagenet.put("fc.bias", TensorData.ofFloats(new long[] {2}, new float[2]));
      LoadReport r = TorchvisionImport.backboneWeights(model, new StateDict(imagenet), Path.of("resnet18-f37072fd.pth"));
      assertThat(r.missingKeys()).isEmpty();
      assertThat(r.unexpectedKeys()).containsExactly("backbone.body.fc.weight", "backbone.body.fc.bias");
      assertThat(params.get("backbone.body.layer4.1.conv2.weight").getArray().toFloatArray()).containsOnly(0.25f);
      assertThat(params.get("backbone.fpn.inner_blocks.0.weight").getArray().toFloatArray()).containsExactly(fpnBefore);

      // a checkpoint of another depth is refused before anything is copied
      imagenet.remove("layer4.1.conv2.weight");
      imagenet.put("layer1.0.conv1.weight", TensorData.ofFloats(new long[] {1}, new float[] {9}));
      imagenet.put("conv1.weight", TensorData.ofFloats(new long[] {64, 3, 7, 7}, new float[64 * 3 * 49]));
      assertThatThrownBy(() -> TorchvisionImport.backboneWeights(model, new StateDict(imagenet),
          Path.of("resnet50.pth"))).isInstanceOf(WeightsException.class).hasMessageContaining("resnet50.pth")
          .hasMessageContaining("missing backbone.body.layer4.1.conv2.weight")
          .hasMessageContaining("backbone.body.layer1.0.conv1.weight has shape [1]");
      assertThat(params.get("backbone.body.conv1.weight").getArray().toFloatArray()).containsOnly(0.25f);
    }
  }

  @Test
  void wrappedCheckpointsAreUnwrappedAndForbiddenGlobalsRefused() throws Exception {
    StateDict direct = TorchCheckpointReader.builder().optStateDictKey("model").build()
        .readStateDict(weights("wrapped.pth"));
    assertThat(TorchvisionImport.readCheckpoint(weights("wrapped.pth"))).isEqualTo(direct);
    assertThat(TorchvisionImport.readCheckpoint(weights("plain.pth")).size()).isPositive();
    assertThatThrownBy(() -> TorchvisionImport.readCheckpoint(weights("malicious_os_system.pth")))
        .isInstanceOf(ForbiddenGlobalException.class);
  }

  private static StateDict classes(int n) {
    return new StateDict(Map.of(TorchvisionImport.CLASS_SCORE, TensorData.ofFloats(new long[] {n, 8}, new float[n * 8])));
  }

  private static Path weights(String name) throws URISyntaxException {
    return Path.of(TorchvisionImportTest.class.getResource("/weights/" + name).toURI());
  }
}
