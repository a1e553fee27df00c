package dev.lowlight.api.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxGraphBuilderTest {

  @TempDir Path dir;

  @Test
  void writesOpset17Ir8WithMetadataAndScopedInitializerNames() throws Exception {
    OnnxGraphBuilder g = new OnnxGraphBuilder("t");
    String x = g.input("x", OnnxType.FLOAT, Dim.dynamic("N"), Dim.of(2));
    OnnxScope s = g.scope("backbone.body").child("fc");
    String w;
    try (NDManager m = NDManager.newBaseManager()) {
      w = s.parameter("weight", m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2)));
    }
    String y = s.node("MatMul").input(x, w).output();
    String z = s.node("Add").input(y, s.scalar(1f)).output();
    g.output(z, "y", OnnxType.FLOAT, Dim.dynamic("N"), Dim.of(2));
    g.metadata("classes", "[\"a\"]");
    Path file = dir.resolve("m.onnx");
    g.save(file);

    OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
    assertThat(model.getIrVersion()).isEqualTo(8);
    assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(17);
    assertThat(model.getGraph().getInitializerList()).extracting(OnnxMl.TensorProto::getName)
        .contains("backbone.body.fc.weight");
    assertThat(model.getMetadataPropsList()).anySatisfy(p -> assertThat(p.getKey()).isEqualTo("classes"));
    assertThat(Files.list(dir)).containsExactly(file);

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(file.toString());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {1, 1, 0, 1, 2, 0}), new long[] {3, 2});
        OrtSession.Result r = session.run(Map.of("x", in))) {
      float[][] out = (float[][]) r.get(0).getValue();
      assertThat(out[0]).containsExactly(5f, 7f);
      assertThat(out[1]).containsExactly(4f, 5f);
      assertThat(out[2]).containsExactly(3f, 5f);
      assertThat(session.getMetadata().getCustomMetadata()).containsEntry("classes", "[\"a\"]");
    }
  }

  @Test
  void duplicateInitializerIsRefused() {
    OnnxGraphBuilder g = new OnnxGraphBuilder("t");
    g.scope("a").constant(new long[] {1}, 1);
    OnnxScope s = g.scope("a");
    s.initializer(OnnxTensors.longs("a.w", new long[] {1}, 1));
    assertThatThrownBy(() -> s.initializer(OnnxTensors.longs("a.w", new long[] {1}, 1)))
        .hasMessageContaining("'a.w' is defined twice");
  }

  @Test
  void uniqueNamesNeverCollide() {
    OnnxGraphBuilder g = new OnnxGraphBuilder("t");
    OnnxScope s = g.root();
    assertThat(s.uniqueName("x")).isEqualTo("x");
    assertThat(s.uniqueName("x")).isEqualTo("x_1");
    assertThat(s.uniqueName("x_1")).isEqualTo("x_1_1");
    assertThat(s.uniqueName("x")).isEqualTo("x_2");
  }

  @Test
  void tensorSizeMustMatchDims() {
    assertThatThrownBy(() -> OnnxTensors.floats("t", new float[3], 2, 2)).hasMessageContaining("need 4");
  }
}
