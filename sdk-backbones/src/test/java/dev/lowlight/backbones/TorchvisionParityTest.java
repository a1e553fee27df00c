package dev.lowlight.backbones;

import dev.lowlight.api.testing.FixtureRandom;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.nn.TorchNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * ResNet-50 + FPN against torchvision 0.14's {@code resnet_fpn_backbone('resnet50')}: weights
 * from the shared generator ({@link FixtureRandom}), set by torchvision name; outputs from {@code
 * tools/fixtures/make_backbone_fixtures.py}.
 */
class TorchvisionParityTest {

  static final double RTOL = 1e-4;

  private static JsonNode meta() throws IOException {
    try (InputStream in = TorchvisionParityTest.class.getResourceAsStream("/torchvision/resnet50_fpn.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static Map<String, float[]> tensors(JsonNode meta) throws IOException {
    byte[] bytes;
    try (InputStream in = TorchvisionParityTest.class.getResourceAsStream("/torchvision/resnet50_fpn.bin")) {
      bytes = in.readAllBytes();
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    Map<String, float[]> out = new LinkedHashMap<>();
    for (JsonNode t : meta.get("tensors")) {
      int n = 1;
      for (JsonNode d : t.get("shape")) {
        n *= d.asInt();
      }
      float[] v = new float[n];
      buf.position(t.get("offset").asInt() * 4);
      buf.asFloatBuffer().get(v);
      out.put(t.get("name").asText(), v);
    }
    return out;
  }

  @Test
  void namesMatchTorchvisionStateDict() throws IOException {
    Set<String> torchvision = new LinkedHashSet<>();
    meta().get("state_dict").fieldNames().forEachRemaining(torchvision::add);
    ResNet body = ResNet.builder().setDepth(50).build();
    FeaturePyramidNetwork fpn = FeaturePyramidNetwork.builder().setInputShape(body.outputShape()).build();
    Set<String> ours = new LinkedHashSet<>(TorchNames.parameters(body).keySet());
    TorchNames.parameters(fpn).keySet().forEach(k -> ours.add("fpn." + k));
    assertThat(ours).containsExactlyInAnyOrderElementsOf(torchvision);
  }

  @Test
  void resnet50FpnMatchesTorchvision() throws IOException {
    JsonNode meta = meta();
    Map<String, float[]> expected = tensors(meta);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      ResNet body = ResNet.builder().setDepth(50).build();
      FeaturePyramidNetwork fpn = FeaturePyramidNetwork.builder().setInputShape(body.outputShape()).build();
      Shape in = new Shape(1, 3, 64, 96);
      body.initialize(m, DataType.FLOAT32, in);
      fpn.initialize(m, DataType.FLOAT32, body.getOutputShapes(new Shape[] {in}));
      setAll(TorchNames.parameters(body), "", meta);
      setAll(TorchNames.parameters(fpn), "fpn.", meta);

      float[] input = expected.get("input");
      double[] generated = FixtureRandom.uniform("input", input.length);
      for (int i = 0; i < input.length; i++) {
        assertThat(input[i]).as("fixture input %d equals the shared generator's", i).isEqualTo((float) generated[i]);
      }
      NDList stages = body.forward(new ParameterStore(m, false), new NDList(m.create(input, in)), false);
      NDList levels = fpn.forward(new ParameterStore(m, false), stages, false);
      double worst = compare("body.res5", expected.get("body.res5"), stages.get(3).toFloatArray());
      String[] names = {"0", "1", "2", "3", "pool"};
      for (int i = 0; i < names.length; i++) {
        worst = Math.max(worst, compare("fpn." + names[i], expected.get("fpn." + names[i]), levels.get(i).toFloatArray()));
      }
      System.out.printf("torchvision parity: max |diff| / max |expected| over res5 and FPN levels = %.3g%n", worst);
    }
  }

  private static void setAll(Map<String, Parameter> params, String prefix, JsonNode meta) {
    JsonNode shapes = meta.get("state_dict");
    for (var e : params.entrySet()) {
      String name = prefix + e.getKey();
      JsonNode shape = shapes.get(name);
      assertThat(shape).as("torchvision has %s", name).isNotNull();
      long[] dims = new long[shape.size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = shape.get(i).asLong();
      }
      assertThat(e.getValue().getArray().getShape().getShape()).as("shape of %s", name).isEqualTo(dims);
      e.getValue().getArray().set(FixtureRandom.fill(name, dims));
    }
  }

  /** Asserts {@code |a - e| <= RTOL * (|e| + max|e|)} elementwise; returns max |a - e| / max |e|. */
  private static double compare(String name, float[] expected, float[] actual) {
    assertThat(actual).as("%s length", name).hasSameSizeAs(expected);
    double maxAbs = 0;
    for (float v : expected) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    assertThat(maxAbs).as("%s is not all zeros", name).isGreaterThan(1e-3);
    double worstDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs(actual[i] - expected[i]);
      assertThat(diff).as("%s[%d]: ours %g, torchvision %g", name, i, actual[i], expected[i])
          .isLessThanOrEqualTo(RTOL * (Math.abs(expected[i]) + maxAbs));
      worstDiff = Math.max(worstDiff, diff);
    }
    return worstDiff / maxAbs;
  }
}
