package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's files read back through the reader, name for name and bit for bit. (Checked once by
 * hand with torch 1.13: {@code torch.load(f, weights_only=True)} returns the same OrderedDict.)
 */
class TorchCheckpointWriterTest {

  @TempDir Path dir;

  @Test
  void everyDtypeAndShapeRoundTripsInOrder() throws Exception {
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    tensors.put("backbone.body.conv1.weight", TensorData.ofFloats(new long[] {2, 3, 1, 1},
        new float[] {1.5f, -0f, Float.MIN_VALUE, -2.25e-8f, 3e38f, 7f}));
    tensors.put("scalar", TensorData.ofFloats(new long[] {}, new float[] {0.125f}));
    tensors.put("empty", TensorData.ofFloats(new long[] {0, 4}, new float[0]));
    tensors.put("half", TensorData.ofFloats(DType.FLOAT16, new long[] {3}, new float[] {1f, -0.5f, 65504f}));
    tensors.put("bn.num_batches_tracked", TensorData.ofLongs(DType.INT64, new long[] {}, new long[] {1L << 40}));
    tensors.put("ints", TensorData.ofLongs(DType.INT32, new long[] {2, 2}, new long[] {-1, 0, 1, Integer.MAX_VALUE}));
    StateDict sd = new StateDict(tensors);
    Path file = dir.resolve("w.pth");
    TorchCheckpointWriter.write(sd, file);

    StateDict back = TorchCheckpointReader.read(file);
    assertThat(back.names()).containsExactlyElementsOf(sd.names());
    for (String name : sd.names()) {
      assertThat(back.get(name)).as(name).isEqualTo(sd.get(name));
    }
  }

  @Test
  void sameStateDictGivesSameBytes() throws Exception {
    StateDict sd = new StateDict(Map.of("a", TensorData.ofFloats(new long[] {2}, new float[] {1, 2})));
    TorchCheckpointWriter.write(sd, dir.resolve("a.pth"));
    TorchCheckpointWriter.write(sd, dir.resolve("b.pth"));
    assertThat(Files.readAllBytes(dir.resolve("a.pth"))).isEqualTo(Files.readAllBytes(dir.resolve("b.pth")));
  }
}
