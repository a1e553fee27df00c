package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

  @TempDir Path tmp;

  @Test
  void readsAFileWrittenByAnIndependentWriter() throws IOException {
    StateDict sd = Safetensors.read(Fixtures.path("plain.safetensors"));
    Fixtures.assertStateDict(sd, Fixtures.expected().get("plain.safetensors"));
    assertThat(sd.metadata()).containsEntry("format", "pt").containsEntry("source", "fixture");
  }

  @Test
  void roundTripsEveryDtypeOfATorchCheckpoint() throws IOException {
    StateDict fromTorch = TorchCheckpointReader.read(Fixtures.path("plain.pth"));
    StateDict withMeta = new StateDict(fromTorch.tensors(), Map.of("origin", "plain.pth"));
    Path out = tmp.resolve("sub/plain.safetensors");
    Safetensors.write(withMeta, out);
    StateDict back = Safetensors.read(out);
    assertThat(back).isEqualTo(withMeta);
    assertThat(back.names()).containsExactlyElementsOf(fromTorch.names());
    try (var files = Files.list(out.getParent())) {
      assertThat(files).containsExactly(out); // no temporary file left behind
    }
    // The data starts 8-byte aligned, as the reference writer guarantees.
    long headerLength = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
  }

  @Test
  void bfloat16RoundsToNearestEven() {
    assertThat(Safetensors.floatToBfloat16(1f)).isEqualTo((short) 0x3f80);
    assertThat(Safetensors.floatToBfloat16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80);
    assertThat(Safetensors.floatToBfloat16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82);
    assertThat(Safetensors.floatToBfloat16(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
    assertThat(Float.isNaN(Float.intBitsToFloat(Safetensors.floatToBfloat16(Float.NaN) << 16))).isTrue();
  }

  @Test
  void rejectsBadHeaders() {
    assertError(new byte[3], "too short");
    assertError(file(Long.MAX_VALUE, "{}", 0), "header length");
    assertError(file(1000, "{}", 0), "header length");
    assertError(file(-1, "{}", 0), "header length");
    assertError(file(4, "[1, 2]", 0), "start with '{'");
    assertError(file(-2, "{\"a\":", 0), "not valid JSON");
    assertError(file(-2, "{\"a\": 3}", 0), "not an object");
    assertError(file(-2, "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
        + " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "Duplicate");
    assertError(file(-2, "{\"__metadata__\": {\"k\": 1}}", 0), "__metadata__");
  }

  @Test
  void rejectsBadTensorEntries() {
    assertError(one("\"dtype\": \"F8\", \"shape\": [1], \"data_offsets\": [0, 1]", 1), "unsupported dtype 'F8'");
    assertError(one("\"shape\": [1], \"data_offsets\": [0, 4]", 4), "dtype");
    assertError(one("\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]", 4), "non-negative");
    assertError(one("\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]", 4), "needs 2 x 4");
    assertError(one("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]", 4), "end 0 < begin 4");
    assertError(one("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]", 4), "2 elements");
    assertError(one("\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 4]", 4),
        "invalid shape");
    assertError(one("\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]", 4), "integer");
  }

  @Test
  void rejectsOverlapsGapsAndWrongLengths() {
    String a = "\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}";
    assertError(file(-2, "{" + a + ", \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8),
        "overlaps");
    assertError(file(-2, "{" + a + ", \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [12, 16]}}", 16),
        "gap");
    assertError(file(-2, "{" + a + "}", 6), "truncated");
    assertError(file(-2, "{" + a + "}", 9), "trailing");
  }

  @Test
  void truncatedWrittenFilesAreRefused() throws IOException {
    byte[] good = Safetensors.toBytes(TorchCheckpointReader.read(Fixtures.path("plain.pth")));
    for (int cut = 0; cut < good.length; cut += 7) {
      byte[] part = java.util.Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> Safetensors.read(part, "cut.safetensors"))
          .as("cut at %d", cut).isInstanceOf(WeightsException.class)
          .hasMessageStartingWith("cut.safetensors: ");
    }
  }

  @Test
  void writerRefusesATensorNamedLikeTheMetadata() {
    Map<String, TensorData> m = new LinkedHashMap<>();
    m.put("__metadata__", TensorData.ofFloats(new long[] {1}, new float[] {1}));
    assertThatThrownBy(() -> Safetensors.toBytes(new StateDict(m)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] one(String fields, int dataBytes) {
    return file(-2, "{\"t\": {" + fields + "}}", dataBytes);
  }

  /** A file with {@code header} and zeroed data; a negative length means the real one. */
  private static byte[] file(long declaredLength, String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredLength == -2 ? h.length : declaredLength).put(h);
    return b.array();
  }

  private static void assertError(byte[] bytes, String message) {
    assertThatThrownBy(() -> Safetensors.read(bytes, "bad.safetensors"))
        .isInstanceOf(WeightsException.class)
        .hasMessageContaining("bad.safetensors")
        .hasMessageContaining(message);
  }
}
