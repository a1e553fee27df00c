package dev.lowlight.backbones;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.spi.DenoiserInsertion;
import dev.lowlight.api.structures.ShapeSpec;
import dev.lowlight.denoise.WeightedNonLocalProvider;
import dev.lowlight.denoise.NonLocalOptions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResNetStructureTest {

  @Test
  void declaredOutputsFollowDepth() {
    assertThat(ResNet.builder().setDepth(18).build().outputShape()).containsExactly(
        Map.entry("res2", new ShapeSpec(64, 4)), Map.entry("res3", new ShapeSpec(128, 8)),
        Map.entry("res4", new ShapeSpec(256, 16)), Map.entry("res5", new ShapeSpec(512, 32)));
    assertThat(ResNet.builder().setDepth(101).build().outputShape().get("res5")).isEqualTo(new ShapeSpec(2048, 32));
    FeaturePyramidNetwork fpn = FeaturePyramidNetwork.builder()
        .setInputShape(ResNet.builder().setDepth(50).build().outputShape()).build();
    assertThat(fpn.outputShape().keySet()).containsExactly("0", "1", "2", "3", "pool");
    assertThat(fpn.outputShape().get("pool")).isEqualTo(new ShapeSpec(256, 64));
  }

  @Test
  void namesAreTorchvisionsAndDepthsHaveTheirBlockCounts() {
    Map<String, Parameter> p101 = TorchNames.parameters(ResNet.builder().setDepth(101).build());
    assertThat(p101).containsKeys("body.conv1.weight", "body.bn1.running_var", "body.layer3.22.conv3.weight",
        "body.layer4.0.downsample.0.weight", "body.layer4.0.downsample.1.bias");
    assertThat(p101).doesNotContainKey("body.layer3.23.conv1.weight");
    Map<String, Parameter> p18 = TorchNames.parameters(ResNet.builder().setDepth(18).build());
    assertThat(p18).containsKeys("body.layer1.1.conv2.weight", "body.layer2.0.downsample.0.weight")
        .doesNotContainKeys("body.layer1.0.downsample.0.weight", "body.layer1.0.conv3.weight");
    // Bottleneck: stride on the 3x3 conv.
    assertThat(p101.get("body.layer2.0.conv2.weight").getShape()).isEqualTo(new Shape(128, 128, 3, 3));
  }

  @Test
  void trainableLayersFreezeAsTorchvision() {
    Map<String, Parameter> p = TorchNames.parameters(ResNet.builder().setDepth(50).optFrozenNorm(false)
        .optTrainableLayers(3).build());
    assertThat(p.get("body.conv1.weight").requiresGradient()).isFalse();
    assertThat(p.get("body.layer1.0.conv1.weight").requiresGradient()).isFalse();
    assertThat(p.get("body.layer1.0.bn1.weight").requiresGradient()).isFalse();
    assertThat(p.get("body.layer2.0.conv1.weight").requiresGradient()).isTrue();
    assertThat(p.get("body.layer2.0.bn1.weight").requiresGradient()).isTrue();
    assertThat(p.get("body.layer4.2.conv3.weight").requiresGradient()).isTrue();
    Map<String, Parameter> all = TorchNames.parameters(ResNet.builder().setDepth(18).optFrozenNorm(false)
        .optTrainableLayers(5).build());
    assertThat(all.get("body.conv1.weight").requiresGradient()).isTrue();
    assertThat(all.get("body.bn1.weight").requiresGradient()).isTrue();
    assertThat(all.get("body.bn1.running_mean").requiresGradient()).isFalse();
    Map<String, Parameter> none = TorchNames.parameters(ResNet.builder().setDepth(18).optTrainableLayers(0).build());
    assertThat(none.values()).noneMatch(Parameter::requiresGradient);
    // Frozen batch norm never trains, whatever trainable_layers says.
    Map<String, Parameter> frozen = TorchNames.parameters(ResNet.builder().setDepth(18).optTrainableLayers(5).build());
    assertThat(frozen.get("body.layer4.1.bn2.weight").requiresGradient()).isFalse();
    assertThat(frozen.get("body.layer4.1.conv2.weight").requiresGradient()).isTrue();
  }

  @Test
  void insertedDenoisersHaveTheirOwnNamesTrainAndStartAsIdentity() {
    var d = new WeightedNonLocalProvider();
    var insertion = new DenoiserInsertion(d.name(), List.of("res3", "res5"),
        c -> d.create(NonLocalOptions.DEFAULTS, c));
    Shape in = new Shape(1, 3, 64, 64);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      ResNet plain = ResNet.builder().setDepth(18).optTrainableLayers(0).build();
      ResNet denoised = ResNet.builder().setDepth(18).optTrainableLayers(0).optDenoisers(insertion).build();
      plain.initialize(m, DataType.FLOAT32, in);
      denoised.initialize(m, DataType.FLOAT32, in);
      Map<String, Parameter> a = TorchNames.parameters(plain);
      Map<String, Parameter> b = TorchNames.parameters(denoised);
      assertThat(b.keySet()).containsAll(a.keySet());
      assertThat(b.keySet().stream().filter(k -> !a.containsKey(k)))
          .allMatch(k -> k.startsWith("denoise.res3.") || k.startsWith("denoise.res5."))
          .contains("denoise.res3.w", "denoise.res5.theta.weight", "denoise.res5.bn.running_var");
      assertThat(b.get("denoise.res3.theta.weight").getShape()).isEqualTo(new Shape(64, 128, 1, 1));
      assertThat(b.get("denoise.res3.w").requiresGradient()).isTrue();
      assertThat(denoised.denoisedStages()).containsExactly("res3", "res5");
      Random r = new Random(7);
      a.forEach((k, v) -> {
        float[] x = new float[(int) v.getArray().size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = k.endsWith("running_var") ? 1f : (float) (r.nextGaussian() * 0.1);
        }
        v.getArray().set(x);
        b.get(k).getArray().set(x);
      });
      float[] img = new float[(int) in.size()];
      for (int i = 0; i < img.length; i++) {
        img[i] = (float) r.nextGaussian();
      }
      NDArray x = m.create(img, in);
      NDList ya = plain.forward(new ParameterStore(m, false), new NDList(x), false);
      NDList yb = denoised.forward(new ParameterStore(m, false), new NDList(x), false);
      for (int i = 0; i < 4; i++) {
        assertThat(yb.get(i).toFloatArray()).as("stage %d", i).containsExactly(ya.get(i).toFloatArray());
      }
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> ResNet.builder().setDepth(42).build()).hasMessageContaining("depth").hasMessageContaining("42");
    assertThatThrownBy(() -> new ResNetOptions(6, "frozen")).hasMessageContaining("trainable_layers");
    assertThatThrownBy(() -> new ResNetOptions(3, "group")).hasMessageContaining("norm").hasMessageContaining("frozen");
    assertThatThrownBy(() -> new FpnOptions(0)).hasMessageContaining("out_channels");
    assertThatThrownBy(() -> ResNet.builder().setDepth(18).optDenoisers(new DenoiserInsertion("x", List.of("res6"),
        c -> null)).build()).hasMessageContaining("res6");
  }

  @Test
  void nearestIndexIsPytorchs() {
    assertThat(FeaturePyramidNetwork.sourceIndex(3, 6)).containsExactly(0, 0, 1, 1, 2, 2);
    assertThat(FeaturePyramidNetwork.sourceIndex(10, 19)).containsExactly(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7,
        7, 8, 8, 9);
  }
}
