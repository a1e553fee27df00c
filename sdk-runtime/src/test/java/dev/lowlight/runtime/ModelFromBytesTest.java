package dev.lowlight.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import dev.lowlight.api.structures.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A predictor opened from bytes, and batches, against the same model opened from its file. */
class ModelFromBytesTest {

  private static final PredictorOptions OPTIONS = PredictorOptions.builder().optIntraOpThreads(1)
      .optScoreThreshold(0f).build();

  @TempDir Path dir;

  @Test
  void bytesAndBatchesGiveWhatTheFileGivesImageByImage() throws Exception {
    Path file = ContractModels.dynamic(dir);
    List<RgbImage> images = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 4; i++) {
      int h = 20 + 7 * i;
      int w = 31 + 5 * i;
      float[] px = new float[h * w * 3];
      float level = i == 0 ? 0f : (float) r.nextDouble(0.1, 0.6);
      java.util.Arrays.fill(px, level); // image 0 is black: no detections
      images.add(new RgbImage(w, h, px));
    }
    try (LowlightPredictor fromFile = LowlightPredictor.open(file, OPTIONS);
        LowlightPredictor fromBytes = LowlightPredictor.open(Files.readAllBytes(file), "dynamic.onnx", OPTIONS)) {
      assertThat(fromBytes.info().classNames()).isEqualTo(fromFile.info().classNames());
      assertThat(fromBytes.info().file()).isEqualTo(Path.of("dynamic.onnx"));
      List<Detections> batch = fromBytes.predictBatch(images);
      assertThat(batch).hasSize(images.size());
      assertThat(batch.get(0).isEmpty()).isTrue();
      for (int i = 0; i < images.size(); i++) {
        assertThat(describe(batch.get(i))).isEqualTo(describe(fromFile.predict(images.get(i))));
      }
      assertThat(batch.get(3).size()).isEqualTo(3);
      assertThatThrownBy(() -> fromBytes.predictBatch(java.util.Arrays.asList(images.get(1), null)))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("image 1 of the batch is null");
    }
  }

  @Test
  void bytesThatReferToExternalDataAreRefusedNamingTheTensorAndFile() throws Exception {
    OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(ContractModels.dynamic(dir)));
    OnnxMl.GraphProto.Builder graph = proto.getGraph().toBuilder();
    OnnxMl.TensorProto first = graph.getInitializer(0);
    graph.setInitializer(0, first.toBuilder().clearRawData().clearFloatData().clearInt64Data()
        .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/weights.bin")));
    byte[] external = proto.toBuilder().setGraph(graph).build().toByteArray();
    assertThatThrownBy(() -> LowlightPredictor.open(external, "m.onnx", OPTIONS)).isInstanceOf(ModelLoadException.class)
        .hasMessage("cannot load model m.onnx: it keeps initializer '" + first.getName() + "' in an external data file"
            + " '../../etc/weights.bin'; a model given as bytes must be self-contained (open it from its file, next to"
            + " its data, instead)");
  }

  @Test
  void emptyOrForeignBytesNameTheModel() {
    assertThatThrownBy(() -> LowlightPredictor.open(new byte[0], "empty.onnx", OPTIONS))
        .isInstanceOf(ModelLoadException.class).hasMessage("cannot load model empty.onnx: the model is empty (0 bytes)");
    assertThatThrownBy(() -> LowlightPredictor.open(new byte[] {(byte) 0xff, 1, 2, 3}, "junk.onnx", OPTIONS))
        .isInstanceOf(ModelLoadException.class).hasMessageStartingWith("cannot load model junk.onnx: not a valid ONNX model");
  }

  private static List<String> describe(Detections d) {
    List<String> out = new ArrayList<>();
    for (Instance in : d.instances()) {
      out.add(in.label() + " " + in.score() + " " + in.box() + " " + in.rleCounts());
    }
    return out;
  }
}
