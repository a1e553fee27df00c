package dev.lowlight.model.weights;

import dev.lowlight.api.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict as PyTorch's {@code torch.save} does since 1.6: a zip archive with the pickled
 * {@code OrderedDict} of tensors ({@code archive/data.pkl}, protocol 2), one storage per tensor
 * ({@code archive/data/N}, little-endian) and {@code archive/version}. {@code torch.load(f,
 * weights_only=True)} and {@link TorchCheckpointReader} read it; the pickle names only the globals
 * such a loader allows ({@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch.*Storage}).
 *
 * <pre>{@code
 * TorchCheckpointWriter.write(StateDictExporter.export(model.parameters(), ""), Path.of("maskrcnn.pth"));
 * }</pre>
 */
public final class TorchCheckpointWriter {

  private static final String ROOT = "archive/";

  private TorchCheckpointWriter() {}

  /** Writes {@code sd} to {@code file} atomically (temporary file in the same folder, rename). */
  public static void write(StateDict sd, Path file) throws IOException {
    AtomicFiles.write(file, toBytes(sd));
  }

  /** The checkpoint's bytes. */
  public static byte[] toBytes(StateDict sd) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      store(zip, ROOT + "data.pkl", pickle(sd));
      store(zip, ROOT + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
      int key = 0;
      for (TensorData t : sd.tensors().values()) {
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(t.numel() * t.dtype().byteSize()))
            .order(ByteOrder.LITTLE_ENDIAN);
        Safetensors.put(data, t);
        store(zip, ROOT + "data/" + key++, data.array());
      }
      store(zip, ROOT + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    return bytes.toByteArray();
  }

  private static void store(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    // A fixed time, so the same state dict gives the same bytes.
    e.setTime(315532800000L);
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }

  /** {@code OrderedDict([(name, _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())), ...])}. */
  private static byte[] pickle(StateDict sd) {
    Pickler p = new Pickler();
    p.global("collections", "OrderedDict").op(')').op('R');
    p.op('(');
    int key = 0;
    for (Map.Entry<String, TensorData> e : sd.tensors().entrySet()) {
      TensorData t = e.getValue();
      p.string(e.getKey());
      p.global("torch._utils", "_rebuild_tensor_v2").op('(');
      p.op('(').string("storage").global("torch", t.dtype().torchStorageName()).string(Integer.toString(key++))
          .string("cpu").integer(t.numel()).op('t').op('Q');
      p.integer(0).op('(');
      for (long d : t.shape()) {
        p.integer(d);
      }
      p.op('t').op('(');
      for (long s : Safetensors.contiguousStrides(t.shape())) {
        p.integer(s);
      }
      p.op('t').op(0x89);
      p.global("collections", "OrderedDict").op(')').op('R');
      p.op('t').op('R');
    }
    p.op('u').op('.');
    return p.bytes();
  }

  /** The few pickle protocol 2 opcodes a state dict needs. */
  private static final class Pickler {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickler() {
      out.write(0x80);
      out.write(2);
    }

    Pickler op(int code) {
      out.write(code);
      return this;
    }

    Pickler global(String module, String name) {
      out.write('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    Pickler string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write('X');
      writeInt(b.length);
      out.writeBytes(b);
      return this;
    }

    Pickler integer(long v) {
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        out.write('J');
        writeInt((int) v);
      } else {
        out.write(0x8a);
        out.write(8);
        for (int i = 0; i < 8; i++) {
          out.write((int) (v >>> (8 * i)));
        }
      }
      return this;
    }

    private void writeInt(int v) {
      for (int i = 0; i < 4; i++) {
        out.write(v >>> (8 * i));
      }
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
