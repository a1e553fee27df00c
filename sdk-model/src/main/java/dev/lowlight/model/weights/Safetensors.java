package dev.lowlight.model.weights;

import dev.lowlight.api.io.AtomicFiles;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin,
 * end]}} (offsets relative to the end of the header) plus an optional {@code __metadata__} map of
 * strings, then the raw little-endian data.
 *
 * <p>Reading validates what the reference implementation does: a known dtype, non-negative
 * shapes, {@code end - begin == numel * itemsize}, tensors that tile the data region exactly (no
 * gap, no overlap, nothing past the end), no duplicate names. Writing goes through a temporary
 * file and an atomic rename, so a crash never leaves half a file.
 *
 * <pre>
 * StateDict sd = Safetensors.read(Path.of("model.safetensors"));
 * Safetensors.write(sd, Path.of("copy.safetensors"));
 * </pre>
 */
public final class Safetensors {

  /** The reference implementation refuses headers above 100 MB; so do we. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Safetensors() {}

  /** Reads a whole safetensors file. */
  public static StateDict read(Path file) throws IOException {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new WeightsException(file + ": " + size + " bytes is larger than this reader's 2 GiB limit");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
    }
    return read(bytes, file.toString());
  }

  /**
   * Parses safetensors bytes.
   *
   * @param source a name for error messages (usually the file)
   */
  public static StateDict read(byte[] bytes, String source) throws WeightsException {
    if (bytes.length < 8) {
      throw new WeightsException(source + ": " + bytes.length
          + " bytes is too short for a safetensors file (needs an 8-byte header length)");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = buf.getLong(0);
    if (n < 2 || n > MAX_HEADER_BYTES || n > bytes.length - 8L) {
      throw new WeightsException(source + ": header length " + Long.toUnsignedString(n)
          + " is invalid for a file of " + bytes.length + " bytes (limit " + MAX_HEADER_BYTES + ")");
    }
    int dataStart = 8 + (int) n;
    long dataLength = bytes.length - (long) dataStart;
    if (bytes[8] != '{') {
      throw new WeightsException(source + ": header does not start with '{'");
    }
    JsonNode header;
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
      header = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new WeightsException(source + ": header is not valid JSON: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new WeightsException(source + ": header is not valid UTF-8 JSON", e);
    }
    if (!(header instanceof ObjectNode obj)) {
      throw new WeightsException(source + ": header is not a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("__metadata__")) {
        readMetadata(f.getValue(), metadata, source);
      } else {
        entries.add(entry(f.getKey(), f.getValue(), source));
      }
    }
    // The tensors must tile [0, dataLength) exactly, as the reference implementation requires.
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long expected = 0;
    for (Entry e : byOffset) {
      if (e.begin() != expected) {
        throw new WeightsException(source + ": tensor '" + e.name() + "' starts at byte "
            + e.begin() + " of the data, expected " + expected
            + (e.begin() < expected ? " (overlaps the previous tensor)" : " (gap)"));
      }
      expected = e.end();
    }
    if (expected != dataLength) {
      throw new WeightsException(source + ": tensors cover " + expected + " data bytes but the file has "
          + dataLength + (expected > dataLength ? " (truncated?)" : " (trailing bytes)"));
    }
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (Entry e : entries) {
      ByteBuffer slice = ByteBuffer.wrap(bytes, dataStart + (int) e.begin(),
          (int) (e.end() - e.begin())).slice().order(ByteOrder.LITTLE_ENDIAN);
      long[] stride = contiguousStrides(e.shape());
      tensors.put(e.name(), TorchCheckpointReader.gather(e.dtype(), slice, 0, e.shape(), stride,
          (int) TensorData.numel(e.shape())));
    }
    return new StateDict(tensors, metadata);
  }

  private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

  private static Entry entry(String name, JsonNode node, String source) throws WeightsException {
    String where = source + ": tensor '" + name + "'";
    if (!(node instanceof ObjectNode o)) {
      throw new WeightsException(where + ": header entry is not an object");
    }
    JsonNode dt = o.get("dtype");
    if (dt == null || !dt.isTextual()) {
      throw new WeightsException(where + ": missing or non-string \"dtype\"");
    }
    DType dtype = DType.fromSafetensors(dt.asText()).orElseThrow(() -> new WeightsException(
        where + ": unsupported dtype '" + dt.asText() + "' (supported: F32, F16, BF16, F64, I64, I32,"
            + " I16, I8, U8, BOOL)"));
    long[] shape = longArray(o.get("shape"), where + " \"shape\"", -1);
    long[] offsets = longArray(o.get("data_offsets"), where + " \"data_offsets\"", 2);
    long numel;
    try {
      numel = TensorData.numel(shape);
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new WeightsException(where + ": invalid shape: " + e.getMessage());
    }
    if (offsets[1] < offsets[0]) {
      throw new WeightsException(where + ": data_offsets end " + offsets[1] + " < begin " + offsets[0]);
    }
    long bytes = offsets[1] - offsets[0];
    if (numel > Integer.MAX_VALUE - 8 || bytes != numel * dtype.byteSize()) {
      throw new WeightsException(where + ": data_offsets span " + bytes + " bytes but shape x dtype"
          + " needs " + numel + " x " + dtype.byteSize());
    }
    return new Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] longArray(JsonNode node, String where, int expectedLength)
      throws WeightsException {
    if (!(node instanceof ArrayNode a)) {
      throw new WeightsException(where + " is missing or not an array");
    }
    if (expectedLength >= 0 && a.size() != expectedLength) {
      throw new WeightsException(where + " must have " + expectedLength + " elements, got " + a.size());
    }
    if (a.size() > 64) {
      throw new WeightsException(where + " has " + a.size() + " dimensions (limit 64)");
    }
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = a.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
        throw new WeightsException(where + " element " + i + " is not a non-negative integer: " + v);
      }
      out[i] = v.asLong();
    }
    return out;
  }

  private static void readMetadata(JsonNode node, Map<String, String> out, String source)
      throws WeightsException {
    if (!(node instanceof ObjectNode o)) {
      throw new WeightsException(source + ": \"__metadata__\" must be an object of strings");
    }
    Iterator<Map.Entry<String, JsonNode>> it = o.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!f.getValue().isTextual()) {
        throw new WeightsException(source + ": \"__metadata__\" value of '" + f.getKey()
            + "' is not a string");
      }
      out.put(f.getKey(), f.getValue().asText());
    }
  }

  static long[] contiguousStrides(long[] shape) {
    long[] stride = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      stride[i] = s;
      s *= Math.max(shape[i], 1);
    }
    return stride;
  }

  /** Serialises {@code sd} (tensors in its order, its metadata) to safetensors bytes. */
  public static byte[] toBytes(StateDict sd) {
    ObjectNode header = JSON.createObjectNode();
    if (!sd.metadata().isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      sd.metadata().forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, TensorData> e : sd.tensors().entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("a tensor may not be called __metadata__");
      }
      TensorData t = e.getValue();
      long bytes = Math.multiplyExact(t.numel(), (long) t.dtype().byteSize());
      ObjectNode o = header.putObject(e.getKey());
      o.put("dtype", t.dtype().safetensorsName());
      ArrayNode shape = o.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      o.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a safetensors header", e);
    }
    // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
    int padded = (json.length + 7) / 8 * 8;
    long total = 8L + padded + offset;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("state dict of " + total + " bytes exceeds 2 GiB");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (TensorData t : sd.tensors().values()) {
      put(out, t);
    }
    return out.array();
  }

  /** Writes {@code sd} to {@code file} atomically (temporary file in the same folder, rename). */
  public static void write(StateDict sd, Path file) throws IOException {
    AtomicFiles.write(file, toBytes(sd));
  }

  /** Appends the values of {@code t} as its dtype stores them, little-endian (safetensors and torch agree). */
  static void put(ByteBuffer out, TensorData t) {
    switch (t.dtype()) {
      case FLOAT32 -> {
        for (float v : t.floats()) {
          out.putFloat(v);
        }
      }
      case FLOAT64 -> {
        for (float v : t.floats()) {
          out.putDouble(v);
        }
      }
      case FLOAT16 -> {
        for (float v : t.floats()) {
          out.putShort(TorchCheckpointReader.floatToHalf(v));
        }
      }
      case BFLOAT16 -> {
        for (float v : t.floats()) {
          out.putShort(floatToBfloat16(v));
        }
      }
      case INT64 -> {
        for (long v : t.longs()) {
          out.putLong(v);
        }
      }
      case INT32 -> {
        for (long v : t.longs()) {
          out.putInt((int) v);
        }
      }
      case INT16 -> {
        for (long v : t.longs()) {
          out.putShort((short) v);
        }
      }
      case INT8, UINT8 -> {
        for (long v : t.longs()) {
          out.put((byte) v);
        }
      }
      case BOOL -> {
        for (long v : t.longs()) {
          out.put((byte) (v != 0 ? 1 : 0));
        }
      }
      default -> throw new IllegalStateException("unhandled dtype " + t.dtype());
    }
  }

  /** Round to nearest even, as torch's float to bfloat16 conversion does; NaN stays NaN. */
  static short floatToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
