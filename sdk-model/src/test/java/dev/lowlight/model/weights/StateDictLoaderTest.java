package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.nn.TorchNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads torch-saved weights into a small tree of the SDK's lowerable Conv2d blocks. */
class StateDictLoaderTest {

  @TempDir Path tmp;

  /** A container that runs its children in order and names them as torchvision modules. */
  static final class Seq extends AbstractBlock {
    Seq add(String name, Block child) {
      addChildBlock(name, child);
      return this;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
        PairList<String, Object> params) {
      NDList x = inputs;
      for (Pair<String, Block> c : getChildren()) {
        x = c.getValue().forward(ps, x, training);
      }
      return x;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape[] s = inputShapes;
      for (Pair<String, Block> c : getChildren()) {
        s = c.getValue().getOutputShapes(s);
      }
      return s;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape[] s = inputShapes;
      for (Pair<String, Block> c : getChildren()) {
        c.getValue().initialize(manager, dataType, s);
        s = c.getValue().getOutputShapes(s);
      }
    }
  }

  /** TinyNet of the fixture script, without its batch norm: body.conv1, body.layer1.0.conv1, head.conv. */
  static Seq tinyNet(int headOut) {
    Seq body = new Seq()
        .add("conv1", Conv2d.builder().setInChannels(3).setOutChannels(4).setKernel(3).optPadding(1)
            .optBias(false).build())
        .add("layer1", new Seq().add("0", new Seq().add("conv1",
            Conv2d.builder().setInChannels(4).setOutChannels(4).setKernel(1).build())));
    Seq head = new Seq().add("conv",
        Conv2d.builder().setInChannels(4).setOutChannels(headOut).setKernel(1).build());
    return new Seq().add("body", body).add("head", head);
  }

  static Seq initialised(NDManager manager, int headOut) {
    Seq net = tinyNet(headOut);
    net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 5, 5));
    return net;
  }

  @Test
  void namesFollowTorchvision() {
    assertThat(TorchNames.parameters(tinyNet(2)).keySet()).containsExactly("body.conv1.weight",
        "body.layer1.0.conv1.weight", "body.layer1.0.conv1.bias", "head.conv.weight", "head.conv.bias");
  }

  @Test
  void nonStrictLoadCopiesWeightsAndReportsTheBatchNormAsUnexpected() throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("tinynet.pth"));
    JsonNode forward = Fixtures.expected().get("tinynet.forward");
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Seq net = initialised(manager, 2);
      LoadReport report = StateDictLoader.load(net, sd, "", false);
      assertThat(report.missingKeys()).isEmpty();
      assertThat(report.shapeMismatches()).isEmpty();
      assertThat(report.unexpectedKeys()).containsExactly("body.bn1.weight", "body.bn1.bias",
          "body.bn1.running_mean", "body.bn1.running_var", "body.bn1.num_batches_tracked");
      TorchNames.parameters(net).forEach((name, p) ->
          assertThat(p.getArray().toFloatArray()).as(name).containsExactly(sd.get(name).floats()));

      // The loaded convolutions reproduce torch's forward pass.
      NDArray x = manager.create(floats(forward.get("input").get("values")), new Shape(1, 3, 5, 5));
      NDArray y = net.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
      assertThat(y.getShape()).isEqualTo(new Shape(1, 2, 5, 5));
      float[] want = floats(forward.get("output").get("values"));
      float[] got = y.toFloatArray();
      for (int i = 0; i < want.length; i++) {
        assertThat(got[i]).as("output %d", i).isCloseTo(want[i], within(1e-5f + 1e-5f * Math.abs(want[i])));
      }
    }
  }

  @Test
  void strictLoadListsMismatchesLikePytorchAndCopiesNothing() throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("tinynet.pth"));
    Map<String, TensorData> partial = new LinkedHashMap<>(sd.tensors());
    partial.remove("head.conv.bias");
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Seq net = initialised(manager, 2);
      float[] before = TorchNames.parameters(net).get("body.conv1.weight").getArray().toFloatArray();
      assertThatThrownBy(() -> StateDictLoader.load(net, new StateDict(partial), "", true))
          .isInstanceOfSatisfying(StateDictMismatchException.class, e -> {
            assertThat(e.report().missingKeys()).containsExactly("head.conv.bias");
            assertThat(e.report().unexpectedKeys()).hasSize(5);
          })
          .hasMessageContaining("Missing key(s) in state_dict: \"head.conv.bias\"")
          .hasMessageContaining("Unexpected key(s) in state_dict: \"body.bn1.weight\"");
      assertThat(TorchNames.parameters(net).get("body.conv1.weight").getArray().toFloatArray())
          .containsExactly(before);
    }
  }

  @Test
  void prefixSelectsASubtreeAndShapeMismatchesAreReported() throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("tinynet.pth"));
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Seq net = initialised(manager, 3); // a head with another number of outputs
      Block body = net.getChildren().get(0).getValue();
      LoadReport bodyReport = StateDictLoader.load(body, sd, "body.", false);
      assertThat(bodyReport.missingKeys()).isEmpty();
      assertThat(bodyReport.unexpectedKeys()).allMatch(k -> k.startsWith("body.bn1."));
      assertThat(TorchNames.parameters(body).get("layer1.0.conv1.bias").getArray().toFloatArray())
          .containsExactly(sd.get("body.layer1.0.conv1.bias").floats());

      LoadReport full = StateDictLoader.load(net, sd, "", false);
      assertThat(full.shapeMismatches()).extracting(LoadReport.ShapeMismatch::key)
          .containsExactly("head.conv.weight", "head.conv.bias");
      assertThat(full.describe()).contains("size mismatch for head.conv.weight: copying a param with"
          + " shape [2, 4, 1, 1] from checkpoint, the shape in current model is [3, 4, 1, 1]");
      assertThatThrownBy(() -> StateDictLoader.load(net, sd.withPrefix("body."), "", true))
          .isInstanceOf(StateDictMismatchException.class).hasMessageContaining("head.conv.weight");
    }
  }

  @Test
  void loadingAnUninitialisedBlockIsAnError() throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("tinynet.pth"));
    assertThatThrownBy(() -> StateDictLoader.load(tinyNet(2), sd, "", false))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("initialize");
  }

  @Test
  void exportedWeightsSurviveSafetensorsAndLoadIntoAFreshBlock() throws IOException {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Seq a = initialised(manager, 2);
      StateDict exported = StateDictExporter.export(a, "", Map.of("sdk", "lowlight"));
      assertThat(exported.names()).containsExactlyElementsOf(TorchNames.parameters(a).keySet());
      Path file = tmp.resolve("tiny.safetensors");
      Safetensors.write(exported, file);

      Seq b = initialised(manager, 2);
      LoadReport r = StateDictLoader.load(b, Safetensors.read(file), "", true);
      assertThat(r.isClean()).isTrue();
      for (String name : List.copyOf(exported.names())) {
        assertThat(TorchNames.parameters(b).get(name).getArray().toFloatArray()).as(name)
            .containsExactly(TorchNames.parameters(a).get(name).getArray().toFloatArray());
      }
      assertThat(StateDictExporter.export(b, "model.").names()).first().isEqualTo("model.body.conv1.weight");
    }
  }

  private static float[] floats(JsonNode values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) values.get(i).asDouble();
    }
    return out;
  }
}
