package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lowlight.model.weights.Fixtures.Pickle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TorchCheckpointReaderTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"plain.pth", "views.pth", "tinynet.pth"})
  void readsTorchSavedStateDictsExactly(String name) throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path(name));
    Fixtures.assertStateDict(sd, Fixtures.expected().get(name));
  }

  @Test
  void plainFixtureCoversEveryDtypeAndScalarAndEmptyTensors() throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("plain.pth"));
    assertThat(sd.get("w16").dtype()).isEqualTo(DType.FLOAT16);
    assertThat(sd.get("bf16").dtype()).isEqualTo(DType.BFLOAT16);
    assertThat(sd.get("f64").dtype()).isEqualTo(DType.FLOAT64);
    assertThat(sd.get("i64").longs()).contains(1L << 40, -(1L << 62));
    assertThat(sd.get("u8").longs()).containsExactly(0, 1, 128, 255);
    assertThat(sd.get("mask").longs()).containsExactly(1, 0, 1);
    assertThat(sd.get("scalar").rank()).isZero();
    assertThat(sd.get("scalar").floats()).containsExactly(1.5f);
    assertThat(sd.get("empty").shape()).containsExactly(0, 3);
  }

  @Test
  void viewsThatShareOneStorageAreCopiedIndependently() throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("views.pth"));
    float[] a = sd.get("shared_a").floats();
    float[] b = sd.get("shared_b").floats();
    // flat[4:6] appears in both views: last two of shared_a, first two of shared_b.
    assertThat(new float[] {a[4], a[5]}).containsExactly(b[0], b[1]);
    assertThat(a).isNotSameAs(b);
    // The transposed view is base.t(): element [i][j] == base[j][i] == (j*6+i)/8.
    float[] t = sd.get("transposed").floats();
    assertThat(sd.get("transposed").shape()).containsExactly(6, 4);
    assertThat(t[1 * 4 + 2]).isEqualTo((2 * 6 + 1) / 8f);
  }

  @Test
  void readsTheModelEntryOfAWrapperWhenAsked() throws IOException {
    StateDict sd = TorchCheckpointReader.builder().optStateDictKey("model").build()
        .readStateDict(Fixtures.path("wrapped.pth"));
    Fixtures.assertStateDict(sd, Fixtures.expected().get("wrapped.pth"));
    assertThat(sd).isEqualTo(TorchCheckpointReader.read(Fixtures.path("tinynet.pth")));
  }

  @Test
  void aWrapperWithoutTheOptionSuggestsTheKey() {
    Path f = Fixtures.path("wrapped.pth");
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("optStateDictKey")
        .hasMessageContaining("[model]");
  }

  @Test
  void anAbsentStateDictKeyListsTheTopLevelKeys() {
    assertThatThrownBy(() -> TorchCheckpointReader.builder().optStateDictKey("state_dict").build()
        .readStateDict(Fixtures.path("wrapped.pth")))
        .isInstanceOf(WeightsException.class)
        .hasMessageContaining("'state_dict'")
        .hasMessageContaining("'model'").hasMessageContaining("'optimizer'");
  }

  @Test
  void theOptimizerStateWithIntKeysAndFloatsUnpickles() throws IOException {
    Object root = TorchCheckpointReader.builder().build().readObject(Fixtures.path("wrapped.pth"));
    var dict = (RestrictedUnpickler.PickleDict) root;
    assertThat(dict.items.get("epoch")).isEqualTo(3L);
    assertThat(dict.items.get("note")).isEqualTo("fixture");
    var opt = (RestrictedUnpickler.PickleDict) dict.items.get("optimizer");
    var groups = (java.util.List<?>) opt.items.get("param_groups");
    var group = (RestrictedUnpickler.PickleDict) groups.get(0);
    assertThat(group.items.get("lr")).isEqualTo(0.02);
    assertThat(group.items.get("foreach")).isNull();
    assertThat(group.items).containsKey("foreach");
  }

  @Test
  void theLegacyFormatIsDetectedAndRead() throws IOException {
    // Same entry point, no option: the format is told from the file's first bytes.
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("legacy.pth"));
    Fixtures.assertStateDict(sd, Fixtures.expected().get("legacy").get("legacy.pth"));
  }

  @Test
  void legacyTarFormatAsksToResave() throws IOException {
    byte[] tar = new byte[1024];
    System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
    Path f = Files.write(tmp.resolve("old.tar.pth"), tar);
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("tar").hasMessageContaining("re-save");
  }

  @Test
  void otherFilesAreNotCheckpoints() throws IOException {
    Path f = Files.writeString(tmp.resolve("notes.pth"), "hello");
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("not a PyTorch checkpoint")
        .hasMessageContaining(f.toString());
    Path empty = Files.write(tmp.resolve("empty.pth"), new byte[0]);
    assertThatThrownBy(() -> TorchCheckpointReader.read(empty)).isInstanceOf(WeightsException.class);
    Path zip = Fixtures.zip(tmp.resolve("other.zip"), Map.of("a/readme.txt", new byte[] {1}));
    assertThatThrownBy(() -> TorchCheckpointReader.read(zip))
        .isInstanceOf(WeightsException.class).hasMessageContaining("data.pkl");
  }

  @Test
  void truncatedFilesGiveAClearError() throws IOException {
    byte[] good = Fixtures.bytes("tinynet.pth");
    for (int cut : new int[] {10, 100, good.length / 2, good.length - 30, good.length - 1}) {
      Path f = Files.write(tmp.resolve("cut" + cut + ".pth"), Arrays.copyOf(good, cut));
      assertThatThrownBy(() -> TorchCheckpointReader.read(f))
          .as("cut at %d", cut)
          .isInstanceOf(WeightsException.class)
          .hasMessageContaining(f.toString());
    }
  }

  @Test
  void aFlippedByteInAStorageIsCaughtByTheCrc() throws IOException {
    byte[] bytes = Fixtures.bytes("plain.pth");
    // The float32 storage of w32 is entry plain/data/0; find its 24 bytes and flip one.
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("plain.pth"));
    byte[] w32 = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putFloat(sd.get("w32").floats()[0]).array();
    int at = indexOf(bytes, Arrays.copyOf(w32, 4));
    assertThat(at).isPositive();
    bytes[at] ^= 0x10;
    Path f = Files.write(tmp.resolve("flipped.pth"), bytes);
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class)
        .hasMessageContaining("plain/data/0")
        .hasMessageContaining("CRC");
  }

  @Test
  void aStorageShorterThanThePickleSaysIsRefused() throws IOException {
    byte[] pkl = new Pickle().op('}').str("w").tensor("0", 4, 0, new int[] {4}, new int[] {1})
        .op('s').stop();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("ck/data.pkl", pkl);
    entries.put("ck/data/0", new byte[12]);
    Path f = Fixtures.zip(tmp.resolve("short.pth"), entries);
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class)
        .hasMessageContaining("ck/data/0").hasMessageContaining("12 bytes");
  }

  @Test
  void aViewBeyondItsStorageIsRefused() throws IOException {
    byte[] pkl = new Pickle().op('}').str("w").tensor("0", 4, 2, new int[] {2, 2}, new int[] {2, 1})
        .op('s').stop();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("ck/data.pkl", pkl);
    entries.put("ck/data/0", new byte[16]);
    Path f = Fixtures.zip(tmp.resolve("oob.pth"), entries);
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("reaches element 5");
  }

  @Test
  void handMadePickleWithStackGlobalAndMemoReads() throws IOException {
    // Protocol-4 style: SHORT_BINUNICODE + STACK_GLOBAL + MEMOIZE, and a big-endian storage.
    Pickle p = new Pickle().shortStr("collections").shortStr("OrderedDict").op(0x93, 0x94, ')', 'R');
    p.str("w").tensor("0", 3, 0, new int[] {3}, new int[] {1}).op('s');
    byte[] pkl = p.stop();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("archive/data.pkl", pkl);
    entries.put("archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
    entries.put("archive/data/0", java.nio.ByteBuffer.allocate(12).putFloat(1f).putFloat(-2f)
        .putFloat(0.5f).array());
    Path f = Fixtures.zip(tmp.resolve("big.pth"), entries);
    StateDict sd = TorchCheckpointReader.read(f);
    assertThat(sd.get("w").floats()).containsExactly(1f, -2f, 0.5f);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x8c, 'U', 'C'})
  void aShortStringRunningPastThePickleEndIsAWeightsException(int opcode) throws IOException {
    // SHORT_BINUNICODE / SHORT_BINSTRING / SHORT_BINBYTES claiming 10 bytes where 1 remains.
    byte[] pkl = new Pickle().op(opcode, 10, 'a').bytes();
    Path f = Fixtures.zip(tmp.resolve("short-string.pth"), Map.of("ck/data.pkl", pkl));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("ck/data.pkl")
        .hasMessageContaining("truncated");
  }

  @Test
  void halfPrecisionConversionIsExactBothWays() {
    for (int h = 0; h < 0x10000; h++) {
      float f = TorchCheckpointReader.halfToFloat((short) h);
      if (Float.isNaN(f)) {
        assertThat(Float.isNaN(TorchCheckpointReader.halfToFloat(TorchCheckpointReader.floatToHalf(f))))
            .isTrue();
        continue;
      }
      assertThat(TorchCheckpointReader.floatToHalf(f) & 0xffff).as("half %04x", h).isEqualTo(h);
    }
    assertThat(TorchCheckpointReader.halfToFloat((short) 0x3c00)).isEqualTo(1f);
    assertThat(TorchCheckpointReader.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(TorchCheckpointReader.floatToHalf(65520f)).isEqualTo((short) 0x7c00); // rounds to inf
    assertThat(TorchCheckpointReader.floatToHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3c00); // tie to even
  }

  @Test
  void limitsAreEnforcedBeforeReading() {
    assertThatThrownBy(() -> TorchCheckpointReader.builder().optMaxStorageBytes(8).build()
        .readStateDict(Fixtures.path("plain.pth")))
        .isInstanceOf(WeightsException.class).hasMessageContaining("exceeds the limit");
    assertThatThrownBy(() -> TorchCheckpointReader.builder().optMaxTensorElements(20).build()
        .readStateDict(Fixtures.path("views.pth")))
        .isInstanceOf(WeightsException.class).hasMessageContaining("views/data/0")
        .hasMessageContaining("[6, 4] (24 elements) exceeds the limit of 20");
    assertThatThrownBy(() -> TorchCheckpointReader.builder().optMaxPickleBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPickleBytes");
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static JsonNode expected(String name) {
    return Fixtures.expected().get(name);
  }
}
