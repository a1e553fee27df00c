package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.model.weights.Fixtures.Pickle;
import dev.lowlight.model.weights.RestrictedUnpickler.PickleDict;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The legacy (pre-1.6) serialization of {@code torch.save}, the format of the 2019 torchvision
 * checkpoints: torch-written fixtures checked against torch's own values, and hand-made files
 * for what torch 1.13 no longer writes (storage views, big-endian data) and for corruption.
 */
class LegacyCheckpointTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"legacy.pth", "legacy_plain.pth", "legacy_views.pth", "legacy_tinynet.pth"})
  void readsTorchSavedLegacyStateDictsExactly(String name) throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path(name));
    Fixtures.assertStateDict(sd, Fixtures.expected().get("legacy").get(name));
  }

  @ParameterizedTest
  @CsvSource({"legacy_plain.pth,plain.pth", "legacy_views.pth,views.pth",
      "legacy_tinynet.pth,tinynet.pth"})
  void bothFormatsOfOneStateDictReadTheSame(String legacy, String zip) throws IOException {
    assertThat(TorchCheckpointReader.read(Fixtures.path(legacy)))
        .isEqualTo(TorchCheckpointReader.read(Fixtures.path(zip)));
  }

  @Test
  void viewsSharingOneStorageAndExpandedViewsAreCopiedIndependently() throws IOException {
    StateDict sd = TorchCheckpointReader.read(Fixtures.path("legacy_views.pth"));
    float[] a = sd.get("shared_a").floats();
    float[] b = sd.get("shared_b").floats();
    assertThat(new float[] {a[4], a[5]}).containsExactly(b[0], b[1]);
    float[] e = sd.get("expanded").floats();
    assertThat(sd.get("expanded").shape()).containsExactly(3, 4);
    assertThat(Arrays.copyOfRange(e, 4, 8)).containsOnly(e[4]);
  }

  @Test
  void readsTheModelEntryOfALegacyWrapper() throws IOException {
    Path f = Fixtures.path("legacy_wrapped.pth");
    StateDict sd = TorchCheckpointReader.builder().optStateDictKey("model").build().readStateDict(f);
    Fixtures.assertStateDict(sd, Fixtures.expected().get("legacy").get("legacy_wrapped.pth"));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("[model]");
    var root = (PickleDict) TorchCheckpointReader.builder().build().readObject(f);
    assertThat(root.items.get("epoch")).isEqualTo(3L);
    var opt = (PickleDict) root.items.get("optimizer");
    var group = (PickleDict) ((List<?>) opt.items.get("param_groups")).get(0);
    assertThat(group.items.get("lr")).isEqualTo(0.02);
  }

  @Test
  void everyTruncationIsAWeightsExceptionNamingTheFile() throws IOException {
    byte[] good = Fixtures.bytes("legacy_tinynet.pth");
    Path f = tmp.resolve("cut.pth");
    for (int cut = 0; cut < good.length; cut++) {
      Files.write(f, Arrays.copyOf(good, cut));
      int at = cut;
      assertThatThrownBy(() -> TorchCheckpointReader.read(f))
          .as("cut at %d of %d", at, good.length)
          .isInstanceOf(WeightsException.class)
          .hasMessageContaining(f.toString());
    }
  }

  @Test
  void aTruncatedStorageSaysWhichAndWhere() throws IOException {
    byte[] good = Fixtures.bytes("legacy_plain.pth");
    Path f = Files.write(tmp.resolve("short.pth"), Arrays.copyOf(good, good.length - 3));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("storage '")
        .hasMessageContaining("truncated");
  }

  @Test
  void handMadeFileWithLocationViewAndTwoStorages() throws IOException {
    // A CUDA location (read onto the CPU), an old-style storage view (offset 2 into the root),
    // and an int64 tensor from a second storage.
    byte[] main = new Pickle().op('}')
        .str("v").legacyTensor("FloatStorage", "140", "cuda:0", 6, new int[] {2, 4}, 1,
            new int[] {3}, new int[] {1}).op('s')
        .str("n").legacyTensor("LongStorage", "77", "cpu", 2, null, 0, new int[] {2},
            new int[] {1}).op('s')
        .stop();
    Path f = Fixtures.concat(tmp.resolve("hand.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), Fixtures.legacySysInfo(true), main,
        Fixtures.legacyKeys(List.of("140", "77")),
        Fixtures.legacyStorage(6, floats(ByteOrder.LITTLE_ENDIAN, 0, 1, 2, 3, 4, 5)),
        Fixtures.legacyStorage(2, longs(-9, 1L << 50)));
    StateDict sd = TorchCheckpointReader.read(f);
    // View starts at root element 2, tensor at view element 1: root elements 3, 4, 5.
    assertThat(sd.get("v").floats()).containsExactly(3f, 4f, 5f);
    assertThat(sd.get("n").longs()).containsExactly(-9, 1L << 50);
  }

  @Test
  void bigEndianDataIsReadWhenSysInfoSaysSo() throws IOException {
    byte[] main = new Pickle().op('}').str("w").legacyTensor("FloatStorage", "1", "cpu", 3, null,
        0, new int[] {3}, new int[] {1}).op('s').stop();
    Path f = Fixtures.concat(tmp.resolve("be.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), Fixtures.legacySysInfo(false), main,
        Fixtures.legacyKeys(List.of("1")),
        Fixtures.legacyStorage(3, floats(ByteOrder.BIG_ENDIAN, 1f, -2f, 0.5f)));
    assertThat(TorchCheckpointReader.read(f).get("w").floats()).containsExactly(1f, -2f, 0.5f);
  }

  @Test
  void trailingBytesAfterTheLastStorageAreIgnoredLikeTorchDoes() throws IOException {
    byte[] good = Fixtures.bytes("legacy.pth");
    Path f = Fixtures.concat(tmp.resolve("tail.pth"), good, new byte[] {1, 2, 3});
    assertThat(TorchCheckpointReader.read(f)).isEqualTo(TorchCheckpointReader.read(Fixtures.path("legacy.pth")));
  }

  @Test
  void aCountThatDisagreesWithThePickleIsRefused() throws IOException {
    Path f = handMade("count.pth", 4, List.of("1"), Fixtures.legacyStorage(3, new byte[12]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining(f.toString())
        .hasMessageContaining("storage '1'").hasMessageContaining("holds 3 elements, the pickle declares 4");
  }

  @Test
  void aHugeCountIsRefusedBeforeAllocating() throws IOException {
    Path f = handMade("huge.pth", Integer.MAX_VALUE, List.of("1"),
        Fixtures.legacyStorage(Integer.MAX_VALUE, new byte[4]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining(f.toString())
        .hasMessageContaining("exceed the limit");
    Path g = handMade("long.pth", 1000, List.of("1"), Fixtures.legacyStorage(1000, new byte[4]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(g))
        .isInstanceOf(WeightsException.class).hasMessageContaining("needs 4000 bytes")
        .hasMessageContaining("truncated");
  }

  @Test
  void storageKeyListMustMatchThePickle() throws IOException {
    Path unlisted = handMade("unlisted.pth", 1, List.of(), new byte[0]);
    assertThatThrownBy(() -> TorchCheckpointReader.read(unlisted))
        .isInstanceOf(WeightsException.class).hasMessageContaining("storage '1' is used");
    Path unknown = handMade("unknown.pth", 1, List.of("1", "2"), Fixtures.legacyStorage(1, new byte[4]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(unknown))
        .isInstanceOf(WeightsException.class).hasMessageContaining("storage '2'");
    Path twice = handMade("twice.pth", 1, List.of("1", "1"), Fixtures.legacyStorage(1, new byte[4]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(twice))
        .isInstanceOf(WeightsException.class).hasMessageContaining("listed twice");
  }

  @Test
  void headerPicklesAreChecked() throws IOException {
    byte[] main = new Pickle().op('}').stop();
    byte[] keys = Fixtures.legacyKeys(List.of());
    Path notTorch = Fixtures.concat(tmp.resolve("plain-pickle.pth"), new Pickle().op('}').stop());
    assertThatThrownBy(() -> TorchCheckpointReader.read(notTorch))
        .isInstanceOf(WeightsException.class).hasMessageContaining(notTorch.toString())
        .hasMessageContaining("not a torch.save checkpoint").hasMessageContaining("magic number");
    Path version = Fixtures.concat(tmp.resolve("v1000.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1000), Fixtures.legacySysInfo(true), main, keys);
    assertThatThrownBy(() -> TorchCheckpointReader.read(version))
        .isInstanceOf(WeightsException.class).hasMessageContaining("protocol version int 1000");
    Path sys = Fixtures.concat(tmp.resolve("sys.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), new Pickle().op(']').stop(), main, keys);
    assertThatThrownBy(() -> TorchCheckpointReader.read(sys))
        .isInstanceOf(WeightsException.class).hasMessageContaining("sys_info is a list");
    // An empty state dict with no storages is a valid (if useless) file.
    Path empty = Fixtures.concat(tmp.resolve("empty.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), Fixtures.legacySysInfo(true), main, keys);
    assertThat(TorchCheckpointReader.read(empty).names()).isEmpty();
  }

  @Test
  void aForbiddenGlobalIsRefusedBeforeAnyStorageIsRead() throws IOException {
    // The file ends right after the main pickle: had the reader looked for storages first, it
    // would report truncation; it must report the global.
    byte[] main = new Pickle().op('}').str("w").legacyTensor("FloatStorage", "1", "cpu", 2, null,
        0, new int[] {2}, new int[] {1}).op('s')
        .str("z").global("subprocess", "Popen").str("true").op(0x85, 'R', 's').stop();
    Path f = Fixtures.concat(tmp.resolve("evil.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), Fixtures.legacySysInfo(true), main);
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOfSatisfying(ForbiddenGlobalException.class,
            e -> assertThat(e.global()).isEqualTo("subprocess.Popen"))
        .hasMessageContaining(f.toString());
  }

  @Test
  void aStorageDeclaredTwiceWithDifferentTypesIsRefused() throws IOException {
    byte[] main = new Pickle().op('}')
        .str("a").legacyTensor("FloatStorage", "1", "cpu", 2, null, 0, new int[] {2}, new int[] {1})
        .op('s')
        .str("b").legacyTensor("IntStorage", "1", "cpu", 2, null, 0, new int[] {2}, new int[] {1})
        .op('s').stop();
    Path f = Fixtures.concat(tmp.resolve("retyped.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), Fixtures.legacySysInfo(true), main,
        Fixtures.legacyKeys(List.of("1")), Fixtures.legacyStorage(2, new byte[8]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("storage '1' is declared as");
  }

  @Test
  void viewsOutsideTheirStorageAreRefused() throws IOException {
    byte[] badView = new Pickle().op('}').str("w").legacyTensor("FloatStorage", "1", "cpu", 4,
        new int[] {3, 2}, 0, new int[] {1}, new int[] {1}).op('s').stop();
    Path f = Fixtures.concat(tmp.resolve("view.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), Fixtures.legacySysInfo(true), badView,
        Fixtures.legacyKeys(List.of("1")), Fixtures.legacyStorage(4, new byte[16]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("invalid view");
    byte[] badTensor = new Pickle().op('}').str("w").legacyTensor("FloatStorage", "1", "cpu", 4,
        new int[] {1, 2}, 1, new int[] {2}, new int[] {1}).op('s').stop();
    Path g = Fixtures.concat(tmp.resolve("tensor.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), Fixtures.legacySysInfo(true), badTensor,
        Fixtures.legacyKeys(List.of("1")), Fixtures.legacyStorage(4, new byte[16]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(g))
        .isInstanceOf(WeightsException.class).hasMessageContaining("reaches element 2 of a storage of 2");
  }

  @Test
  void aPickledModuleIsRefusedWithAHint() throws IOException {
    byte[] main = new Pickle().op('(').str("module").str("Net").str("net.py").str("src")
        .op('t', 'Q').stop();
    Path f = Fixtures.concat(tmp.resolve("module.pth"), Fixtures.legacyMagic(),
        Fixtures.legacyVersion(1001), Fixtures.legacySysInfo(true), main);
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("state_dict()");
  }

  @Test
  void limitsApplyToLegacyFiles() {
    assertThatThrownBy(() -> TorchCheckpointReader.builder().optMaxPickleBytes(300).build()
        .readStateDict(Fixtures.path("legacy_tinynet.pth")))
        .isInstanceOf(WeightsException.class).hasMessageContaining("main pickle")
        .hasMessageContaining("longer than the limit of 300 bytes");
    assertThatThrownBy(() -> TorchCheckpointReader.builder().optMaxStorageBytes(8).build()
        .readStateDict(Fixtures.path("legacy_plain.pth")))
        .isInstanceOf(WeightsException.class).hasMessageContaining("exceed the limit of 8 bytes");
    assertThatThrownBy(() -> TorchCheckpointReader.builder().optMaxTensorElements(20).build()
        .readStateDict(Fixtures.path("legacy_views.pth")))
        .isInstanceOf(WeightsException.class)
        .hasMessageContaining("[6, 4] (24 elements) exceeds the limit of 20");
  }

  /** A legacy file with one float tensor "w" over storage "1" of {@code numel} elements. */
  private Path handMade(String name, int numel, List<String> keys, byte[] storages)
      throws IOException {
    byte[] main = new Pickle().op('}').str("w").legacyTensor("FloatStorage", "1", "cpu", numel,
        null, 0, new int[] {1}, new int[] {1}).op('s').stop();
    return Fixtures.concat(tmp.resolve(name), Fixtures.legacyMagic(), Fixtures.legacyVersion(1001),
        Fixtures.legacySysInfo(true), main, Fixtures.legacyKeys(keys), storages);
  }

  private static byte[] floats(ByteOrder order, float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  private static byte[] longs(long... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      b.putLong(x);
    }
    return b.array();
  }
}
