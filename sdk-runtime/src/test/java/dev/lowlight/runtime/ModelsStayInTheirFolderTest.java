package dev.lowlight.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ONNX model may keep tensors in external files, but only under its own folder: absolute paths,
 * {@code ..} and symbolic links leading out are refused before ONNX Runtime reads anything, naming
 * the tensor and the path; declared sizes must match the bytes.
 */
class ModelsStayInTheirFolderTest {

  @TempDir Path dir;

  /** The contract model with its 3-score initializer moved to {@code location} (offset, length as given). */
  private Path withExternalScores(String location, long offset, long length) throws IOException {
    Path model = ContractModels.dynamic(dir);
    OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model));
    OnnxMl.GraphProto.Builder g = proto.getGraph().toBuilder();
    boolean moved = false;
    for (int i = 0; i < g.getInitializerCount() && !moved; i++) {
      OnnxMl.TensorProto t = g.getInitializer(i);
      if (t.getDataType() == OnnxMl.TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() == 1 && t.getDims(0) == 3) {
        g.setInitializer(i, t.toBuilder().clearRawData().clearFloatData()
            .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
            .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue(location))
            .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("offset").setValue("" + offset))
            .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("length").setValue("" + length))
            .build());
        moved = true;
      }
    }
    assertThat(moved).as("the contract model has a 3-float initializer").isTrue();
    Path out = Files.createDirectories(dir.resolve("models")).resolve("external.onnx");
    Files.write(out, proto.toBuilder().setGraph(g).build().toByteArray());
    return out;
  }

  private static byte[] scores() {
    ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    for (float s : ContractModels.BASE_SCORES) {
      b.putFloat(s);
    }
    return b.array();
  }

  private String tensorName(Path model) throws IOException {
    for (OnnxMl.TensorProto t : OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model)).getGraph().getInitializerList()) {
      if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
        return t.getName();
      }
    }
    throw new AssertionError("no external tensor");
  }

  @Test
  void externalDataInTheModelsFolderLoads() throws IOException {
    Path model = withExternalScores("weights/scores.bin", 0, 12);
    Files.createDirectories(model.resolveSibling("weights"));
    Files.write(model.resolveSibling("weights/scores.bin"), scores());
    OnnxModelGuard.check(model);
    try (LowlightPredictor p = LowlightPredictor.open(model)) {
      assertThat(p.predict(ContractModels.uniform(8, 8, 0.5f), 8, 8).instances()).hasSize(3);
    }
  }

  @Test
  void aRelativePathOutOfTheFolderIsRefusedBeforeOnnxRuntimeReadsIt() throws IOException {
    Path model = withExternalScores("../../../../etc/passwd", 0, 12);
    String tensor = tensorName(model);
    assertThatThrownBy(() -> LowlightPredictor.open(model)).isInstanceOf(ModelLoadException.class)
        .hasMessage("cannot load model " + model + ": initializer '" + tensor + "' stores its data at"
            + " '../../../../etc/passwd', outside the model's folder (..); external data must be a file under the"
            + " model's folder " + model.toAbsolutePath().getParent());
  }

  @Test
  void anAbsolutePathIsRefused() throws IOException {
    Path model = withExternalScores("/etc/passwd", 0, 12);
    assertThatThrownBy(() -> LowlightPredictor.open(model)).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("stores its data at '/etc/passwd', an absolute path");
  }

  @Test
  void aSymbolicLinkLeadingOutIsRefused() throws IOException {
    Path secret = Files.write(dir.resolve("secret.bin"), scores());
    Path model = withExternalScores("scores.bin", 0, 12);
    Files.createSymbolicLink(model.resolveSibling("scores.bin"), secret);
    assertThatThrownBy(() -> LowlightPredictor.open(model)).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("stores its data at 'scores.bin', a link leading to " + secret.toRealPath()
            + ", outside the model's folder");
  }

  @Test
  void bytesBeyondTheExternalFileOrOfTheWrongSizeAreRefused() throws IOException {
    Path model = withExternalScores("scores.bin", 8, 12);
    Files.write(model.resolveSibling("scores.bin"), scores());
    assertThatThrownBy(() -> LowlightPredictor.open(model)).hasMessageContaining("claims bytes 8..20 of 'scores.bin',"
        + " which has 12 bytes");
    Path shorter = withExternalScores("scores.bin", 0, 8);
    assertThatThrownBy(() -> LowlightPredictor.open(shorter)).hasMessageContaining("declares 12 bytes but its"
        + " external data is 8 bytes long");
  }

  @Test
  void aTensorDeclaringMoreThanItHoldsIsRefused() throws IOException {
    Path model = ContractModels.dynamic(dir);
    OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model));
    OnnxMl.GraphProto.Builder g = proto.getGraph().toBuilder();
    OnnxMl.TensorProto big = OnnxMl.TensorProto.newBuilder().setName("huge").setDataType(1).addDims(1_000_000_000L)
        .addDims(1_000_000L).setRawData(com.google.protobuf.ByteString.copyFrom(new byte[16])).build();
    g.addInitializer(big);
    Path out = dir.resolve("huge.onnx");
    Files.write(out, proto.toBuilder().setGraph(g).build().toByteArray());
    assertThatThrownBy(() -> LowlightPredictor.open(out)).isInstanceOf(ModelLoadException.class)
        .hasMessage("cannot load model " + out + ": initializer 'huge' declares [1000000000, 1000000] elements of type"
            + " 1 (4000000000000000 bytes) but holds 16 bytes");
  }
}
