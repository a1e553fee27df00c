package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Access to the torch-made fixtures and helpers to craft checkpoints by hand. */
final class Fixtures {

  private static JsonNode expected;

  private Fixtures() {}

  static Path path(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/weights/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test fixture weights/" + name
          + "; run tools/fixtures/make_weight_fixtures.py", e);
    }
  }

  static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static synchronized JsonNode expected() {
    if (expected == null) {
      try {
        expected = new ObjectMapper().readTree(path("expected.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return expected;
  }

  /** Asserts {@code t} equals torch's description (dtype, shape, exact values). */
  static void assertTensor(String name, TensorData t, JsonNode e) {
    assertThat(t).as(name).isNotNull();
    assertThat(t.dtype().toString()).as(name + " dtype").isEqualTo(dtypeName(e.get("dtype").asText()));
    List<Long> shape = new ArrayList<>();
    e.get("shape").forEach(n -> shape.add(n.asLong()));
    assertThat(t.shape()).as(name + " shape").containsExactly(shape.stream().mapToLong(Long::longValue).toArray());
    JsonNode values = e.get("values");
    assertThat(t.numel()).as(name + " numel").isEqualTo(values.size());
    if (t.isFloatingPoint()) {
      float[] want = new float[values.size()];
      for (int i = 0; i < want.length; i++) {
        want[i] = (float) values.get(i).asDouble();
      }
      assertThat(t.floats()).as(name + " values").containsExactly(want);
    } else {
      long[] want = new long[values.size()];
      for (int i = 0; i < want.length; i++) {
        want[i] = values.get(i).asLong();
      }
      assertThat(t.longs()).as(name + " values").containsExactly(want);
    }
  }

  /** Asserts a whole state dict equals torch's description, names in file order. */
  static void assertStateDict(StateDict sd, JsonNode e) {
    List<String> names = new ArrayList<>();
    e.fieldNames().forEachRemaining(names::add);
    assertThat(sd.names()).containsExactlyElementsOf(names);
    Iterator<Map.Entry<String, JsonNode>> it = e.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      assertTensor(f.getKey(), sd.get(f.getKey()), f.getValue());
    }
  }

  private static String dtypeName(String torch) {
    return torch.equals("uint8") ? "uint8" : torch;
  }

  /** Writes a zip holding {@code entries} (name to bytes), stored like torch.save does. */
  static Path zip(Path file, Map<String, byte[]> entries) throws IOException {
    try (ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry z = new ZipEntry(e.getKey());
        z.setMethod(ZipEntry.STORED);
        z.setSize(e.getValue().length);
        CRC32 crc = new CRC32();
        crc.update(e.getValue());
        z.setCrc(crc.getValue());
        zos.putNextEntry(z);
        zos.write(e.getValue());
        zos.closeEntry();
      }
    }
    return file;
  }

  /** The magic number pickle that starts a legacy file, as torch writes it (LONG1, 10 bytes). */
  static byte[] legacyMagic() {
    return new Pickle().op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
        .stop();
  }

  /** The protocol version pickle of a legacy file: {@code version} as BININT2. */
  static byte[] legacyVersion(int version) {
    return new Pickle().op('M', version & 0xff, (version >>> 8) & 0xff).stop();
  }

  /** The sys_info pickle of a legacy file. */
  static byte[] legacySysInfo(boolean littleEndian) {
    return new Pickle().op('}', '(').str("protocol_version").op('M', 0xe9, 0x03)
        .str("little_endian").op(littleEndian ? 0x88 : 0x89)
        .str("type_sizes").op('}', '(').str("short").op('K', 2).str("int").op('K', 4).str("long")
        .op('K', 8).op('u', 'u').stop();
  }

  /** The pickled list of storage keys of a legacy file. */
  static byte[] legacyKeys(List<String> keys) {
    Pickle p = new Pickle().op(']');
    for (String k : keys) {
      p.str(k).op('a');
    }
    return p.stop();
  }

  /** One storage record of a legacy file: 8-byte little-endian element count, then the bytes. */
  static byte[] legacyStorage(long count, byte[] data) {
    return java.nio.ByteBuffer.allocate(8 + data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putLong(count).put(data).array();
  }

  /** Concatenates the parts of a hand-made legacy file and writes it. */
  static Path concat(Path file, byte[]... parts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return Files.write(file, out.toByteArray());
  }

  /** A tiny protocol-2 pickle writer for hand-made test pickles. */
  static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle() {
      out.write(0x80);
      out.write(2);
    }

    Pickle op(int... ops) {
      for (int o : ops) {
        out.write(o);
      }
      return this;
    }

    Pickle global(String module, String name) {
      out.write('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write('X');
      out.write(b.length);
      out.write(b.length >>> 8);
      out.write(b.length >>> 16);
      out.write(b.length >>> 24);
      out.writeBytes(b);
      return this;
    }

    Pickle shortStr(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write(0x8c);
      out.write(b.length);
      out.writeBytes(b);
      return this;
    }

    Pickle integer(int v) {
      out.write('J');
      out.write(v);
      out.write(v >>> 8);
      out.write(v >>> 16);
      out.write(v >>> 24);
      return this;
    }

    /** Pushes a float32 tensor of {@code size}/{@code stride} over storage {@code key}. */
    Pickle tensor(String key, int storageNumel, int offset, int[] size, int[] stride) {
      global("torch._utils", "_rebuild_tensor_v2").op('(');
      op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu")
          .integer(storageNumel).op('t', 'Q');
      integer(offset).op('(');
      for (int s : size) {
        integer(s);
      }
      op('t', '(');
      for (int s : stride) {
        integer(s);
      }
      op('t', 0x89, '}', 't', 'R');
      return this;
    }

    /**
     * Pushes a tensor as the legacy format pickles it: a persistent id
     * {@code ('storage', torch.<storageClass>, key, location, numel, view)}, {@code view} null or
     * {@code {viewOffset, viewSize}}.
     */
    Pickle legacyTensor(String storageClass, String key, String location, int storageNumel,
        int[] view, int offset, int[] size, int[] stride) {
      global("torch._utils", "_rebuild_tensor_v2").op('(');
      op('(').str("storage").global("torch", storageClass).str(key).str(location)
          .integer(storageNumel);
      if (view == null) {
        op('N');
      } else {
        str(key + "-view").integer(view[0]).integer(view[1]).op(0x87);
      }
      op('t', 'Q');
      integer(offset).op('(');
      for (int s : size) {
        integer(s);
      }
      op('t', '(');
      for (int s : stride) {
        integer(s);
      }
      op('t', 0x89, '}', 't', 'R');
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    /** Ends the pickle with STOP and returns it. */
    byte[] stop() {
      out.write('.');
      return out.toByteArray();
    }
  }
}
