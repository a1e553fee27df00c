package dev.lowlight.model.weights;

import dev.lowlight.model.weights.RestrictedUnpickler.PickleDict;
import dev.lowlight.model.weights.RestrictedUnpickler.StorageType;
import dev.lowlight.model.weights.RestrictedUnpickler.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads PyTorch {@code .pth} checkpoints into a {@link StateDict}, with no Python and no
 * PyTorch. Both serializations of {@code torch.save} are read, told apart by the file's first
 * bytes: the zip format (torch 1.6 and later) and the legacy format (torch 0.4 to 1.5, and later
 * versions with {@code _use_new_zipfile_serialization=False}), in which the official
 * COCO-pretrained torchvision checkpoints of 2019 ({@code maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth},
 * ...) were saved. Only the tar format of torch before 0.4 is refused, with a way to convert it.
 *
 * <p>The zip archive holds {@code <name>/data.pkl} (the pickled object), {@code <name>/data/<key>}
 * (one raw storage per key), optionally {@code <name>/byteorder} and {@code <name>/version}.
 * {@code data.pkl} is run by a restricted unpickler that accepts only the globals a state dict
 * needs ({@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code _rebuild_parameter}, {@code torch.*Storage}, {@code torch.Size}); any other global
 * ({@code posix.system}, {@code builtins.eval}, ...) raises {@link ForbiddenGlobalException}
 * and nothing is returned. This matches {@code torch.load(weights_only=True)}.
 *
 * <p>The legacy file is a sequence: a pickled magic number, protocol version (1001) and system
 * info, the main pickle (the same restricted unpickler, every global checked before any storage
 * is read), the pickled list of storage keys, then each storage as an 8-byte element count and
 * its raw elements. It has no checksums, so a flipped byte in a storage goes unnoticed, as it
 * does in PyTorch; truncation and inconsistent counts are detected.
 *
 * <p>Tensors may be strided views (transposed, sliced, expanded, several views of one storage);
 * each is copied into its own row-major array. Floating dtypes become float32, integer and bool
 * dtypes long. Every length read from the file is checked against the file and the configured
 * limits before anything is allocated, and every zip entry's CRC is verified.
 *
 * <pre>
 * StateDict sd = TorchCheckpointReader.read(Path.of("resnet50-0676ba61.pth"));
 * // torchvision's detection references save {"model": state_dict, "optimizer": ..., ...}
 * StateDict model = TorchCheckpointReader.builder().optStateDictKey("model").build()
 *     .readStateDict(Path.of("checkpoint.pth"));
 * </pre>
 */
public final class TorchCheckpointReader {

  private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpointReader.class);
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final String stateDictKey;
  private final long maxPickleBytes;
  private final long maxStorageBytes;
  private final long maxTensorElements;

  TorchCheckpointReader(Builder b) {
    this.maxTensorElements = b.maxTensorElements;
    this.stateDictKey = b.stateDictKey;
    this.maxPickleBytes = b.maxPickleBytes;
    this.maxStorageBytes = b.maxStorageBytes;
  }

  /** A builder with the defaults: top-level state dict, 64 MiB pickle, 2 GiB per storage. */
  public static Builder builder() {
    return new Builder();
  }

  /** Reads a file whose top-level object is the state dict, with default limits. */
  public static StateDict read(Path file) throws IOException {
    return builder().build().readStateDict(file);
  }

  /**
   * Reads the state dict of {@code file}: the top-level dict, or its {@code stateDictKey} entry
   * when that option is set.
   *
   * @throws ForbiddenGlobalException if the pickle names a global a state dict never needs
   * @throws WeightsException if the file is not a torch checkpoint, is truncated or corrupt, or
   *     does not hold a dict of tensors where expected
   */
  public StateDict readStateDict(Path file) throws IOException {
    Object root = readObject(file);
    Object sd = root;
    String where = "the top-level object";
    if (stateDictKey != null) {
      if (!(root instanceof PickleDict d) || !d.items.containsKey(stateDictKey)) {
        throw new WeightsException(file + ": no entry '" + stateDictKey + "' in the checkpoint; "
            + "top-level keys: " + keysOf(root));
      }
      sd = d.items.get(stateDictKey);
      where = "entry '" + stateDictKey + "'";
    }
    if (!(sd instanceof PickleDict dict)) {
      throw new WeightsException(file + ": " + where + " is a "
          + RestrictedUnpickler.describe(sd) + ", not a state dict");
    }
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (Map.Entry<Object, Object> e : dict.items.entrySet()) {
      if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorData t)) {
        String hint = stateDictKey == null && !candidates(dict).isEmpty()
            ? "; it looks like a wrapper: use optStateDictKey(...) with one of " + candidates(dict)
            : "";
        throw new WeightsException(file + ": " + where + " is not a flat dict of tensors: entry '"
            + e.getKey() + "' holds a " + RestrictedUnpickler.describe(e.getValue()) + hint);
      }
      tensors.put(name, t);
    }
    return new StateDict(tensors);
  }

  /**
   * Runs the checkpoint's pickle and returns the raw value tree (dicts, lists, tensors as
   * {@link TensorData}, scalars). Package-private: callers want {@link #readStateDict}.
   */
  Object readObject(Path file) throws IOException {
    if (detectFormat(file) == Format.LEGACY) {
      return LegacyCheckpoint.read(file, maxPickleBytes, maxStorageBytes, maxTensorElements);
    }
    try (ZipFile zip = openZip(file)) {
      String prefix = archivePrefix(zip, file);
      ByteOrder order = byteOrder(zip, file, prefix);
      ZipEntry versionEntry = zip.getEntry(prefix + "version");
      if (versionEntry != null) {
        String v = new String(readEntry(zip, versionEntry, file, 64), StandardCharsets.US_ASCII)
            .trim();
        LOG.debug("{}: serialization version {}", file, v);
      }
      ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
      byte[] pickle = readEntry(zip, pkl, file, maxPickleBytes);
      Storages storages = new Storages(zip, file, prefix, order);
      try {
        return RestrictedUnpickler.load(pickle, file + "!" + pkl.getName(), storages);
      } catch (ArithmeticException | IllegalArgumentException e) {
        throw new WeightsException(file + ": invalid tensor in " + pkl.getName() + ": "
            + e.getMessage(), e);
      }
    }
  }

  private static List<String> candidates(PickleDict dict) {
    List<String> out = new ArrayList<>();
    dict.items.forEach((k, v) -> {
      if (k instanceof String s && v instanceof PickleDict d && !d.items.isEmpty()
          && d.items.values().stream().allMatch(x -> x instanceof TensorData)) {
        out.add(s);
      }
    });
    return out;
  }

  private static String keysOf(Object root) {
    if (!(root instanceof PickleDict d)) {
      return "(not a dict: " + RestrictedUnpickler.describe(root) + ")";
    }
    List<String> keys = new ArrayList<>();
    d.items.keySet().forEach(k -> keys.add(k instanceof String s ? "'" + s + "'" : String.valueOf(k)));
    return keys.toString();
  }

  /** The two serializations {@code torch.save} has used since torch 0.4. */
  private enum Format { ZIP, LEGACY }

  /**
   * Tells the formats apart by their first bytes: the zip signature, or the pickle protocol
   * opcode that starts the legacy format's first pickle (its magic number, checked later). The
   * older tar format is recognised only to refuse it with a way out.
   */
  private static Format detectFormat(Path file) throws WeightsException {
    byte[] head = new byte[512];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      return Format.ZIP;
    }
    if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
      return Format.LEGACY;
    }
    if (n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
      throw new WeightsException(file + ": the tar serialization of torch < 0.4 is not supported;"
          + " re-save it with a newer torch: torch.save(torch.load(\"old.pth\"), \"new.pth\")");
    }
    throw new WeightsException(file + ": not a PyTorch checkpoint (" + n + " bytes, starts with "
        + "neither the zip signature PK\\3\\4 nor the pickle of the legacy format)");
  }

  private static ZipFile openZip(Path file) throws WeightsException {
    try {
      return new ZipFile(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new WeightsException(file + ": corrupt or truncated zip archive: " + e.getMessage(), e);
    }
  }

  /** The single top-level folder holding {@code data.pkl} (the file's stem in torch 1.x). */
  private static String archivePrefix(ZipFile zip, Path file) throws WeightsException {
    String found = null;
    try {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        int slash = name.indexOf('/');
        if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl")) {
          if (found != null) {
            throw new WeightsException(file + ": more than one data.pkl (" + found + "data.pkl, "
                + name + ")");
          }
          found = name.substring(0, slash + 1);
        }
      }
    } catch (RuntimeException e) {
      throw new WeightsException(file + ": corrupt zip directory: " + e.getMessage(), e);
    }
    if (found == null) {
      throw new WeightsException(file + ": zip archive has no <name>/data.pkl; not a torch.save file");
    }
    return found;
  }

  private ByteOrder byteOrder(ZipFile zip, Path file, String prefix) throws WeightsException {
    ZipEntry e = zip.getEntry(prefix + "byteorder");
    if (e == null) {
      return ByteOrder.LITTLE_ENDIAN; // torch < 2.1 wrote no byteorder entry, always little
    }
    String v = new String(readEntry(zip, e, file, 16), StandardCharsets.US_ASCII).trim();
    return switch (v) {
      case "little" -> ByteOrder.LITTLE_ENDIAN;
      case "big" -> ByteOrder.BIG_ENDIAN;
      default -> throw new WeightsException(file + "!" + e.getName() + ": unknown byte order '" + v
          + "' (expected little or big)");
    };
  }

  /** Reads one whole entry, bounding its size and checking its CRC. */
  static byte[] readEntry(ZipFile zip, ZipEntry entry, Path file, long limit)
      throws WeightsException {
    String where = file + "!" + entry.getName();
    long size = entry.getSize();
    long cap = Math.min(limit, MAX_ARRAY);
    if (size > cap) {
      throw new WeightsException(where + ": entry of " + size + " bytes exceeds the limit of "
          + cap + " bytes");
    }
    if (entry.getMethod() == ZipEntry.STORED && size > 0) {
      try {
        if (size > Files.size(file)) {
          throw new WeightsException(where + ": entry claims " + size + " bytes but the file has only "
              + Files.size(file) + " (truncated?)");
        }
      } catch (IOException ex) {
        throw new WeightsException(where + ": cannot read: " + ex.getMessage(), ex);
      }
    }
    byte[] bytes;
    try (InputStream in = zip.getInputStream(entry)) {
      bytes = in.readNBytes((int) (size >= 0 ? size : cap));
      if (size < 0 && in.read() >= 0) {
        throw new WeightsException(where + ": entry exceeds the limit of " + cap + " bytes");
      }
    } catch (WeightsException ex) {
      throw ex;
    } catch (IOException | RuntimeException ex) {
      throw new WeightsException(where + ": truncated or corrupt entry: " + ex.getMessage(), ex);
    }
    if (size >= 0 && bytes.length != size) {
      throw new WeightsException(where + ": entry truncated: expected " + size + " bytes, read "
          + bytes.length);
    }
    if (entry.getCrc() != -1) {
      CRC32 crc = new CRC32();
      crc.update(bytes);
      if (crc.getValue() != entry.getCrc()) {
        throw new WeightsException(where + ": CRC mismatch (file is corrupt)");
      }
    }
    return bytes;
  }

  /** A storage named by a persistent id, read lazily and shared by every view of it. */
  private record StorageRef(DType dtype, String key, long numel) {}

  /** Resolves storages from the archive and copies (possibly strided) views out of them. */
  private final class Storages implements RestrictedUnpickler.Host {
    private final ZipFile zip;
    private final Path file;
    private final String prefix;
    private final ByteOrder order;
    private final Map<String, ByteBuffer> loaded = new HashMap<>();

    Storages(ZipFile zip, Path file, String prefix, ByteOrder order) {
      this.zip = zip;
      this.file = file;
      this.prefix = prefix;
      this.order = order;
    }

    @Override
    public Object persistentLoad(Object pid) throws WeightsException {
      if (!(pid instanceof Tuple t) || t.items.size() != 5 || !"storage".equals(t.items.get(0))
          || !(t.items.get(1) instanceof StorageType type) || !(t.items.get(2) instanceof String key)
          || !(t.items.get(4) instanceof Long numel) || numel < 0) {
        throw new WeightsException(file + ": unsupported persistent id in data.pkl; expected "
            + "('storage', torch.XStorage, key, location, numel)");
      }
      return new StorageRef(type.dtype(), key, numel);
    }

    @Override
    public Object rebuildTensor(Object storage, long offset, long[] size, long[] stride)
        throws WeightsException {
      if (!(storage instanceof StorageRef ref)) {
        throw new WeightsException(file + ": tensor rebuilt from a "
            + RestrictedUnpickler.describe(storage) + " instead of a storage");
      }
      String where = file + "!" + prefix + "data/" + ref.key();
      int numel = checkView(where, ref.numel(), offset, size, stride, maxTensorElements);
      ByteBuffer buf = numel == 0 ? ByteBuffer.allocate(0) : load(ref, where);
      return gather(ref.dtype(), buf, offset, size, stride, numel);
    }

    private long fileSize() throws WeightsException {
      try {
        return java.nio.file.Files.size(file);
      } catch (java.io.IOException e) {
        throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
      }
    }

    private ByteBuffer load(StorageRef ref, String where) throws WeightsException {
      ByteBuffer cached = loaded.get(ref.key());
      if (cached == null) {
        ZipEntry entry = zip.getEntry(prefix + "data/" + ref.key());
        if (entry == null) {
          throw new WeightsException(where + ": storage entry missing from the archive");
        }
        long need = Math.multiplyExact(ref.numel(), ref.dtype().byteSize());
        if (entry.getSize() >= 0 && entry.getSize() < need) {
          throw new WeightsException(where + ": storage has " + entry.getSize()
              + " bytes, the pickle needs " + need + " (" + ref.numel() + " x " + ref.dtype() + ")");
        }
        // torch.save stores storages uncompressed; weights hardly compress, so a compressed storage
        // far larger than the whole file is a decompression bomb, refused before it is inflated
        if (entry.getMethod() == ZipEntry.DEFLATED && entry.getSize() > 2 * fileSize()) {
          throw new WeightsException(where + ": a compressed storage of " + entry.getSize() + " bytes in a file of "
              + fileSize() + " bytes (a decompression bomb?); save the weights with torch.save");
        }
        byte[] bytes = readEntry(zip, entry, file, maxStorageBytes);
        if (bytes.length < need) {
          throw new WeightsException(where + ": storage has " + bytes.length
              + " bytes, the pickle needs " + need);
        }
        cached = ByteBuffer.wrap(bytes).order(order);
        loaded.put(ref.key(), cached);
      } else if (cached.capacity() / ref.dtype().byteSize() < ref.numel()) {
        throw new WeightsException(where + ": storage reused with a larger element count");
      }
      return cached;
    }
  }

  /**
   * Checks that a strided view stays inside a storage of {@code storageNumel} elements and that
   * the tensor it makes is within {@code maxTensorElements}, and returns its element count.
   *
   * @param where file and storage, for the message
   */
  static int checkView(String where, long storageNumel, long offset, long[] size, long[] stride,
      long maxTensorElements) throws WeightsException {
    if (size.length != stride.length) {
      throw new WeightsException(where + ": size " + Arrays.toString(size) + " and stride "
          + Arrays.toString(stride) + " differ in length");
    }
    long numel = TensorData.numel(size);
    // An expanded view (stride 0) can be far larger than its storage: bound what we allocate.
    long cap = Math.min(maxTensorElements, MAX_ARRAY);
    if (numel > cap) {
      throw new WeightsException(where + ": tensor of shape " + Arrays.toString(size) + " ("
          + numel + " elements) exceeds the limit of " + cap + " elements");
    }
    if (numel > 0) {
      long last = offset;
      if (offset < 0) {
        throw new WeightsException(where + ": negative storage offset " + offset);
      }
      for (int i = 0; i < size.length; i++) {
        if (stride[i] < 0) {
          throw new WeightsException(where + ": negative stride " + Arrays.toString(stride));
        }
        last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
      }
      if (last >= storageNumel) {
        throw new WeightsException(where + ": view (offset " + offset + ", size "
            + Arrays.toString(size) + ", stride " + Arrays.toString(stride)
            + ") reaches element " + last + " of a storage of " + storageNumel);
      }
    }
    return (int) numel;
  }

  /** Copies a strided view into a row-major array of the dtype's value kind. */
  static TensorData gather(DType dtype, ByteBuffer buf, long offset, long[] size, long[] stride,
      int numel) {
    int rank = size.length;
    long[] index = new long[rank];
    int bs = dtype.byteSize();
    float[] f = dtype.isFloatingPoint() ? new float[numel] : null;
    long[] l = dtype.isFloatingPoint() ? null : new long[numel];
    long pos = offset;
    for (int i = 0; i < numel; i++) {
      int at = Math.toIntExact(pos * bs);
      if (f != null) {
        f[i] = readFloat(dtype, buf, at);
      } else {
        l[i] = readLong(dtype, buf, at);
      }
      // Odometer increment over the shape, updating the storage position by the strides.
      for (int d = rank - 1; d >= 0; d--) {
        index[d]++;
        pos += stride[d];
        if (index[d] < size[d]) {
          break;
        }
        pos -= stride[d] * index[d];
        index[d] = 0;
      }
    }
    return new TensorData(dtype, size, f, l);
  }

  static float readFloat(DType dtype, ByteBuffer buf, int at) {
    return switch (dtype) {
      case FLOAT32 -> buf.getFloat(at);
      case FLOAT64 -> (float) buf.getDouble(at);
      case FLOAT16 -> halfToFloat(buf.getShort(at));
      case BFLOAT16 -> Float.intBitsToFloat((buf.getShort(at) & 0xffff) << 16);
      default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
    };
  }

  static long readLong(DType dtype, ByteBuffer buf, int at) {
    return switch (dtype) {
      case INT64 -> buf.getLong(at);
      case INT32 -> buf.getInt(at);
      case INT16 -> buf.getShort(at);
      case INT8 -> buf.get(at);
      case UINT8 -> buf.get(at) & 0xff;
      case BOOL -> buf.get(at) != 0 ? 1 : 0;
      default -> throw new IllegalArgumentException("not an integer dtype: " + dtype);
    };
  }

  /** IEEE 754 binary16 to binary32, exact (every half value is a float value). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal half: value = mant * 2^-24, exactly representable as a normal float.
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Rounds a float to the nearest binary16 (ties to even), for writing F16. */
  static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rem = m & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
      half++; // may carry into the exponent, which is the correct rounding
    }
    return (short) (sign | half);
  }

  /** Options of the reader: {@code opt*} have defaults, {@code build()} validates. */
  public static final class Builder {
    private String stateDictKey;
    private long maxPickleBytes = 64L << 20;
    private long maxStorageBytes = MAX_ARRAY;
    private long maxTensorElements = MAX_ARRAY;

    Builder() {}

    /**
     * Reads the state dict from this top-level entry, for wrappers such as torchvision's
     * detection references ({@code {"model": sd, "optimizer": ..., "epoch": ...}}).
     */
    public Builder optStateDictKey(String key) {
      this.stateDictKey = key;
      return this;
    }

    /**
     * Largest pickle accepted (default 64 MiB): the zip format's {@code data.pkl}, or the legacy
     * format's main pickle and storage key list.
     */
    public Builder optMaxPickleBytes(long bytes) {
      this.maxPickleBytes = bytes;
      return this;
    }

    /** Largest single storage accepted (default just under 2 GiB, Java's array limit). */
    public Builder optMaxStorageBytes(long bytes) {
      this.maxStorageBytes = bytes;
      return this;
    }

    /**
     * Largest tensor accepted, in elements (default just under 2^31). Bounds the memory a view
     * with zero strides (an expanded tensor) may claim from a small storage.
     */
    public Builder optMaxTensorElements(long elements) {
      this.maxTensorElements = elements;
      return this;
    }

    /** Validates and builds. */
    public TorchCheckpointReader build() {
      validate();
      return new TorchCheckpointReader(this);
    }

    /** Checks the options. */
    public void validate() {
      if (stateDictKey != null && stateDictKey.isEmpty()) {
        throw new IllegalArgumentException("stateDictKey must be non-empty when set");
      }
      if (maxPickleBytes < 1 || maxStorageBytes < 1 || maxTensorElements < 1) {
        throw new IllegalArgumentException("limits must be >= 1, got maxPickleBytes="
            + maxPickleBytes + ", maxStorageBytes=" + maxStorageBytes + ", maxTensorElements="
            + maxTensorElements);
      }
    }
  }
}
