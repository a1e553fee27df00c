package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing: whatever the bytes, the readers either return a state dict or throw
 * {@link WeightsException}; never another exception, a hang, or an allocation beyond the limits.
 */
class WeightsFuzzTest {

  private static final long SEED = 0x5EEDL;
  private static final List<String> PTH = List.of("plain.pth", "views.pth", "tinynet.pth", "wrapped.pth");
  private static final List<String> LEGACY = List.of("legacy_plain.pth", "legacy_views.pth",
      "legacy_tinynet.pth", "legacy_wrapped.pth");
  /** Small limits, so a mutated length can never make a case allocate much. */
  private static final TorchCheckpointReader READER = TorchCheckpointReader.builder()
      .optMaxPickleBytes(1 << 20).optMaxStorageBytes(1 << 20).optMaxTensorElements(1 << 18).build();

  /** Far above the few seconds the cases take; only a hang (or thrashing) reaches it. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void mutatedPthFilesFailOnlyWithWeightsExceptions() {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      Random rnd = new Random(SEED);
      Path scratch = scratchDir();
      // wrapped.pth is itself refused without optStateDictKey: its original is null.
      Map<String, StateDict> originals = new java.util.HashMap<>();
      for (String name : PTH) {
        originals.put(name, readPth(Fixtures.path(name), name));
      }
      int accepted = 0;
      for (int i = 0; i < 300; i++) {
        String name = PTH.get(rnd.nextInt(PTH.size()));
        byte[] bytes = mutate(Fixtures.bytes(name), rnd);
        Path f = Files.write(scratch.resolve("raw.pth"), bytes);
        StateDict sd = readPth(f, "raw case " + i + " of " + name);
        if (sd != null) {
          // Only bytes no CRC covers (zip padding, timestamps) may change without an error,
          // so whatever is accepted must be exactly the original.
          assertThat(sd).as("raw case %d of %s", i, name).isEqualTo(originals.get(name));
          accepted++;
        }
      }
      assertThat(accepted).isLessThan(150);
    });
  }

  @Test
  void mutatedPicklesInsideValidArchivesFailOnlyWithWeightsExceptions() {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      Random rnd = new Random(SEED + 1);
      Path scratch = scratchDir();
      Map<String, Map<String, byte[]>> archives = new LinkedHashMap<>();
      for (String name : PTH) {
        archives.put(name, entries(Fixtures.path(name)));
      }
      for (int i = 0; i < 600; i++) {
        String name = PTH.get(rnd.nextInt(PTH.size()));
        Map<String, byte[]> entries = new LinkedHashMap<>(archives.get(name));
        String pkl = entries.keySet().stream().filter(k -> k.endsWith("/data.pkl")).findFirst().orElseThrow();
        entries.put(pkl, mutate(entries.get(pkl), rnd));
        Path f = Fixtures.zip(scratch.resolve("pkl.pth"), entries);
        readPth(f, "pickle case " + i + " of " + name);
      }
    });
  }

  @Test
  void mutatedLegacyFilesFailOnlyWithWeightsExceptions() {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      Random rnd = new Random(SEED + 3);
      Path scratch = scratchDir();
      int accepted = 0;
      for (int i = 0; i < 1000; i++) {
        String name = LEGACY.get(rnd.nextInt(LEGACY.size()));
        byte[] bytes = mutate(Fixtures.bytes(name), rnd);
        Path f = Files.write(scratch.resolve("legacy.pth"), bytes);
        StateDict sd = readPth(f, "legacy case " + i + " of " + name);
        if (sd != null) {
          // The format has no checksums: a changed storage byte or name loads, as in torch.
          // What must hold is the limits: no tensor beyond them, whatever the bytes said.
          for (String n : sd.names()) {
            assertThat(sd.get(n).numel()).as("legacy case %d of %s", i, name)
                .isLessThanOrEqualTo(1 << 18);
          }
          accepted++;
        }
      }
      // Most mutations hit a pickle or a count (storage bytes are a minority of these files).
      assertThat(accepted).isLessThan(300);
    });
  }

  @Test
  void mutatedSafetensorsFailOnlyWithWeightsExceptions() {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      Random rnd = new Random(SEED + 2);
      byte[][] seeds = {Fixtures.bytes("plain.safetensors"),
          Safetensors.toBytes(TorchCheckpointReader.read(Fixtures.path("tinynet.pth")))};
      for (int i = 0; i < 2000; i++) {
        byte[] bytes = mutate(seeds[rnd.nextInt(seeds.length)], rnd);
        try {
          StateDict sd = Safetensors.read(bytes, "case" + i);
          assertThat(sd.numel()).isLessThanOrEqualTo(bytes.length);
        } catch (WeightsException expected) {
          assertThat(expected.getMessage()).startsWith("case" + i + ": ");
        } catch (Throwable t) {
          fail("safetensors case " + i + " threw " + t, t);
        }
      }
    });
  }

  /** A folder for the mutated files: in memory (/dev/shm) where there is one, it is much faster. */
  private Path scratchDir() throws IOException {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      Path dir = Files.createTempDirectory(shm, "lowlight-fuzz");
      dir.toFile().deleteOnExit();
      cleanup.add(dir);
      return dir;
    }
    return tmp;
  }

  private final List<Path> cleanup = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void deleteScratch() throws IOException {
    for (Path dir : cleanup) {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** The state dict, or null after a {@link WeightsException} that names the file. */
  private static StateDict readPth(Path f, String what) {
    try {
      return READER.readStateDict(f);
    } catch (WeightsException expected) {
      assertThat(expected.getMessage()).as(what).contains(f.toString());
      return null;
    } catch (Throwable t) {
      return fail(what + " threw " + t, t);
    }
  }

  /** One of: flip bits, overwrite a run, truncate, insert bytes, or set bytes to extremes. */
  static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in.clone();
    switch (rnd.nextInt(5)) {
      case 0 -> {
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      case 1 -> {
        int at = rnd.nextInt(b.length);
        for (int k = rnd.nextInt(16); k > 0 && at < b.length; k--) {
          b[at++] = (byte) rnd.nextInt(256);
        }
      }
      case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
      case 3 -> {
        int at = rnd.nextInt(b.length);
        byte[] extra = new byte[1 + rnd.nextInt(8)];
        rnd.nextBytes(extra);
        byte[] out = new byte[b.length + extra.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(b, at, out, at + extra.length, b.length - at);
        b = out;
      }
      default -> {
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
          b[rnd.nextInt(b.length)] = rnd.nextBoolean() ? (byte) 0xff : (byte) 0x7f;
        }
      }
    }
    return b;
  }

  private static Map<String, byte[]> entries(Path file) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> e = zip.entries();
      while (e.hasMoreElements()) {
        ZipEntry z = e.nextElement();
        try (InputStream in = zip.getInputStream(z)) {
          out.put(z.getName(), in.readAllBytes());
        }
      }
    }
    return out;
  }
}
