package dev.lowlight.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks an ONNX file before ONNX Runtime sees it, as one checks any file handed over by someone
 * else: a tensor stored as external data must lie in a file under the model's own folder (no
 * absolute path, no {@code ..}, no symbolic link leading out, the bytes within that file), and
 * every tensor's declared size must agree with the bytes it has. ONNX Runtime follows whatever
 * path a model names; a model whose initializer points at {@code ../../../../etc/passwd} would
 * otherwise load with that file's bytes as weights.
 *
 * <p>The file is read as protobuf wire data (no ONNX classes needed): the main graph, graphs
 * nested in node attributes (If, Loop, Scan), functions and training graphs are all visited.
 *
 * <pre>{@code
 * OnnxModelGuard.check(Path.of("model.onnx"));   // ModelLoadException naming the tensor and the path
 * }</pre>
 */
public final class OnnxModelGuard {

  private static final int MAX_DEPTH = 64;
  /** Bytes per element of ONNX's {@code TensorProto.DataType}, 0 where not fixed (strings, 4-bit types). */
  private static final int[] ELEMENT_BYTES = {0, 4, 1, 1, 2, 2, 4, 8, 0, 1, 2, 8, 4, 8, 8, 16, 2, 1, 1, 1, 1};

  private final Path model;
  private final Path folder;
  private Path realFolder;

  private OnnxModelGuard(Path model, boolean inMemory) {
    this.model = model;
    this.folder = inMemory ? null : model.toAbsolutePath().normalize().getParent();
  }

  /**
   * Checks a model held in memory (shipped to the machines of a distributed job, read from an
   * object store): it must be self-contained, since bytes have no folder to find external data in,
   * and every tensor's declared size must agree with its bytes.
   *
   * @param name what the model is, named in messages
   * @throws ModelLoadException naming {@code name} and the tensor
   */
  public static void check(byte[] model, Path name) {
    try {
      new OnnxModelGuard(name, true).model(new Reader(ByteBuffer.wrap(model), 0, model.length));
    } catch (Malformed e) {
      throw new ModelLoadException(name, "not a valid ONNX model; the bytes may be corrupted or truncated ("
          + e.getMessage() + ")", e);
    }
  }

  /**
   * Checks {@code model}.
   *
   * @throws ModelLoadException naming the tensor and the offending path or size
   */
  public static void check(Path model) {
    OnnxModelGuard guard = new OnnxModelGuard(model, false);
    try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new ModelLoadException(model, size + " bytes is larger than protobuf's 2 GiB limit for one file");
      }
      MappedByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      guard.model(new Reader(bytes, 0, (int) size));
    } catch (IOException e) {
      throw new ModelLoadException(model, "cannot read it: " + e.getMessage(), e);
    } catch (Malformed e) {
      throw new ModelLoadException(model, "not a valid ONNX model; the file may be corrupted or truncated ("
          + e.getMessage() + ")", e);
    }
  }

  // ModelProto: graph = 7, training_info = 20, functions = 25
  private void model(Reader r) throws Malformed {
    while (r.more()) {
      int tag = r.tag();
      switch (tag >>> 3) {
        case 7 -> graph(r.message(tag), 0, "graph");
        case 20 -> trainingInfo(r.message(tag));
        case 25 -> function(r.message(tag), 0);
        default -> r.skip(tag);
      }
    }
  }

  // TrainingInfoProto: initialization = 1, algorithm = 2
  private void trainingInfo(Reader r) throws Malformed {
    while (r.more()) {
      int tag = r.tag();
      if ((tag >>> 3) == 1 || (tag >>> 3) == 2) {
        graph(r.message(tag), 1, "training graph");
      } else {
        r.skip(tag);
      }
    }
  }

  // FunctionProto: node = 7
  private void function(Reader r, int depth) throws Malformed {
    while (r.more()) {
      int tag = r.tag();
      if ((tag >>> 3) == 7) {
        node(r.message(tag), depth + 1);
      } else {
        r.skip(tag);
      }
    }
  }

  // GraphProto: node = 1, initializer = 5, sparse_initializer = 15
  private void graph(Reader r, int depth, String where) throws Malformed {
    if (depth > MAX_DEPTH) {
      throw new Malformed("graphs nested more than " + MAX_DEPTH + " deep");
    }
    while (r.more()) {
      int tag = r.tag();
      switch (tag >>> 3) {
        case 1 -> node(r.message(tag), depth);
        case 5 -> tensor(r.message(tag), "initializer");
        case 15 -> sparse(r.message(tag));
        default -> r.skip(tag);
      }
    }
  }

  // NodeProto: attribute = 5
  private void node(Reader r, int depth) throws Malformed {
    while (r.more()) {
      int tag = r.tag();
      if ((tag >>> 3) == 5) {
        attribute(r.message(tag), depth);
      } else {
        r.skip(tag);
      }
    }
  }

  // AttributeProto: t = 5, g = 6, tensors = 10, graphs = 11, sparse_tensor = 22, sparse_tensors = 23
  private void attribute(Reader r, int depth) throws Malformed {
    while (r.more()) {
      int tag = r.tag();
      switch (tag >>> 3) {
        case 5, 10 -> tensor(r.message(tag), "tensor of a node attribute");
        case 6, 11 -> graph(r.message(tag), depth + 1, "subgraph");
        case 22, 23 -> sparse(r.message(tag));
        default -> r.skip(tag);
      }
    }
  }

  // SparseTensorProto: values = 1, indices = 2
  private void sparse(Reader r) throws Malformed {
    while (r.more()) {
      int tag = r.tag();
      if ((tag >>> 3) == 1 || (tag >>> 3) == 2) {
        tensor(r.message(tag), "sparse initializer");
      } else {
        r.skip(tag);
      }
    }
  }

  /**
   * TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9, external_data = 13,
   * data_location = 14.
   */
  private void tensor(Reader r, String kind) throws Malformed {
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = "";
    long rawBytes = -1;
    boolean external = false;
    Map<String, String> location = new LinkedHashMap<>();
    while (r.more()) {
      int tag = r.tag();
      switch (tag >>> 3) {
        case 1 -> {
          if ((tag & 7) == 2) {
            Reader packed = r.message(tag);
            while (packed.more()) {
              dims.add(packed.varint());
            }
          } else {
            dims.add(r.varint());
          }
        }
        case 2 -> dataType = (int) r.varint();
        case 8 -> name = r.string(tag);
        case 9 -> rawBytes = r.message(tag).length();
        case 13 -> entry(r.message(tag), location);
        case 14 -> external = r.varint() == 1;
        default -> r.skip(tag);
      }
    }
    String what = kind + (name.isEmpty() ? "" : " '" + name + "'");
    long bytes = expectedBytes(dims, dataType, what);
    if (external || !location.isEmpty()) {
      externalData(what, location, bytes);
    } else if (rawBytes >= 0 && bytes >= 0 && rawBytes != bytes) {
      throw new ModelLoadException(model, what + " declares " + dims + " elements of type " + dataType + " ("
          + bytes + " bytes) but holds " + rawBytes + " bytes");
    }
  }

  // StringStringEntryProto: key = 1, value = 2
  private static void entry(Reader r, Map<String, String> into) throws Malformed {
    String key = "";
    String value = "";
    while (r.more()) {
      int tag = r.tag();
      switch (tag >>> 3) {
        case 1 -> key = r.string(tag);
        case 2 -> value = r.string(tag);
        default -> r.skip(tag);
      }
    }
    into.put(key, value);
  }

  /** The byte size the dims and type declare, or -1 when the type has no fixed element size. */
  private long expectedBytes(List<Long> dims, int dataType, String what) {
    if (dataType <= 0 || dataType >= ELEMENT_BYTES.length || ELEMENT_BYTES[dataType] == 0) {
      return -1;
    }
    long n = ELEMENT_BYTES[dataType];
    for (long d : dims) {
      if (d < 0) {
        throw new ModelLoadException(model, what + " declares a negative dimension " + d);
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new ModelLoadException(model, what + " declares " + dims + " elements, more than any file can hold");
      }
    }
    return n;
  }

  private void externalData(String what, Map<String, String> entries, long bytes) {
    String location = entries.get("location");
    if (location == null || location.isEmpty()) {
      throw new ModelLoadException(model, what + " is stored as external data but names no location");
    }
    if (folder == null) {
      throw new ModelLoadException(model, "it keeps " + what + " in an external data file '" + location + "'; a model"
          + " given as bytes must be self-contained (open it from its file, next to its data, instead)");
    }
    String refused = what + " stores its data at '" + location + "', ";
    String inside = "; external data must be a file under the model's folder " + folder;
    if (location.startsWith("/") || location.startsWith("\\") || location.matches("^[A-Za-z]:.*")
        || location.contains("\0")) {
      throw new ModelLoadException(model, refused + "an absolute path" + inside);
    }
    for (String segment : location.split("[/\\\\]")) {
      if (segment.equals("..")) {
        throw new ModelLoadException(model, refused + "outside the model's folder (..)" + inside);
      }
    }
    Path file = folder.resolve(location).normalize();
    if (!file.startsWith(folder)) {
      throw new ModelLoadException(model, refused + "outside the model's folder" + inside);
    }
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(model, refused + "which does not exist or is not a regular file");
    }
    long size;
    try {
      if (realFolder == null) {
        realFolder = folder.toRealPath();
      }
      Path real = file.toRealPath();
      if (!real.startsWith(realFolder)) {
        throw new ModelLoadException(model, refused + "a link leading to " + real + ", outside the model's folder"
            + inside);
      }
      size = Files.size(real);
    } catch (IOException e) {
      throw new ModelLoadException(model, refused + "which cannot be read: " + e.getMessage(), e);
    }
    long offset = number(entries.get("offset"), 0, what, "offset");
    long length = number(entries.get("length"), bytes >= 0 ? bytes : size - offset, what, "length");
    if (offset > size || length > size - offset) {
      throw new ModelLoadException(model, what + " claims bytes " + offset + ".." + (offset + length) + " of '"
          + location + "', which has " + size + " bytes");
    }
    if (bytes >= 0 && length != bytes) {
      throw new ModelLoadException(model, what + " declares " + bytes + " bytes but its external data is " + length
          + " bytes long");
    }
  }

  private long number(String text, long otherwise, String what, String key) {
    if (text == null || text.isEmpty()) {
      return otherwise;
    }
    try {
      long v = Long.parseLong(text.strip());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ModelLoadException(model, what + " has an external data " + key + " '" + text
          + "' that is not a non-negative integer");
    }
  }

  /** The wire data is not valid protobuf. */
  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  /** A cursor over one protobuf message. */
  private static final class Reader {
    private final ByteBuffer buf;
    private int pos;
    private final int end;

    Reader(ByteBuffer buf, int start, int end) {
      this.buf = buf;
      this.pos = start;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    int length() {
      return end - pos;
    }

    int tag() throws Malformed {
      long t = varint();
      if (t <= 0 || t > Integer.MAX_VALUE) {
        throw new Malformed("bad field tag " + t + " at byte " + pos);
      }
      return (int) t;
    }

    long varint() throws Malformed {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new Malformed("a number runs past the end of its message");
        }
        byte b = buf.get(pos++);
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new Malformed("a number longer than 10 bytes");
    }

    Reader message(int tag) throws Malformed {
      if ((tag & 7) != 2) {
        throw new Malformed("field " + (tag >>> 3) + " should be length-delimited");
      }
      long n = varint();
      if (n < 0 || n > end - pos) {
        throw new Malformed("a field of " + n + " bytes runs past the end of its message (" + (end - pos) + " left)");
      }
      Reader sub = new Reader(buf, pos, pos + (int) n);
      pos += (int) n;
      return sub;
    }

    String string(int tag) throws Malformed {
      Reader r = message(tag);
      byte[] b = new byte[r.length()];
      buf.get(r.pos, b);
      return new String(b, StandardCharsets.UTF_8);
    }

    void skip(int tag) throws Malformed {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> advance(8);
        case 2 -> message(tag);
        case 5 -> advance(4);
        default -> throw new Malformed("unsupported wire type " + (tag & 7) + " of field " + (tag >>> 3));
      }
    }

    private void advance(int n) throws Malformed {
      if (n > end - pos) {
        throw new Malformed("a field runs past the end of its message");
      }
      pos += n;
    }
  }
}
