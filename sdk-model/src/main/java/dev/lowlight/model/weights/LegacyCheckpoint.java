package dev.lowlight.model.weights;

import dev.lowlight.model.weights.RestrictedUnpickler.PickleDict;
import dev.lowlight.model.weights.RestrictedUnpickler.Prefix;
import dev.lowlight.model.weights.RestrictedUnpickler.StorageType;
import dev.lowlight.model.weights.RestrictedUnpickler.Tuple;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the legacy serialization of {@code torch.save} (the default of torch 0.4 to 1.5, and
 * {@code _use_new_zipfile_serialization=False} since): the format of the 2019 torchvision
 * checkpoints. Package-private: {@link TorchCheckpointReader} picks it from the file's first
 * bytes.
 *
 * <p>The file is a sequence with no index: five pickles (magic number, protocol version 1001,
 * {@code sys_info}, the main object, the list of storage keys), then each listed storage as an
 * 8-byte little-endian element count followed by its elements. Tensors in the main pickle name
 * their storage by a persistent id {@code ('storage', torch.XStorage, root_key, location, numel,
 * view_metadata)}. Since the storages come after the pickle that uses them, the main pickle is
 * run twice: first to check every global and view and learn where it ends, then, once every
 * storage is located and its count checked, to build the tensors.
 */
final class LegacyCheckpoint {

  private static final Logger LOG = LoggerFactory.getLogger(LegacyCheckpoint.class);

  /** {@code torch.serialization.MAGIC_NUMBER}. */
  static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  /** {@code torch.serialization.PROTOCOL_VERSION}, the only version the format ever had. */
  static final long PROTOCOL_VERSION = 1001;
  /** The magic, version and sys_info pickles take about 150 bytes; far more means another file. */
  private static final long HEADER_PICKLE_LIMIT = 1 << 16;
  /** What pass one returns for a tensor: the value is thrown away, only the checks matter. */
  private static final Object UNRESOLVED = new Object();

  private final Path file;
  private final FileChannel channel;
  private final long fileSize;
  private final long maxPickleBytes;
  private final long maxStorageBytes;
  private final long maxTensorElements;

  /** Root storages as the main pickle declares them, by key. */
  private final Map<String, Root> roots = new LinkedHashMap<>();
  /** Where each root storage's elements start in the file, by key. */
  private final Map<String, Long> dataAt = new HashMap<>();
  private final Map<String, ByteBuffer> loaded = new HashMap<>();
  private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

  /** A storage as the main pickle declares it: element type and count. */
  private record Root(DType dtype, long numel) {}

  /** What a persistent id resolves to: a root storage, or a slice of one (an old storage view). */
  private record StorageRef(String rootKey, DType dtype, long offset, long numel) {}

  private LegacyCheckpoint(Path file, FileChannel channel, long fileSize, long maxPickleBytes,
      long maxStorageBytes, long maxTensorElements) {
    this.file = file;
    this.channel = channel;
    this.fileSize = fileSize;
    this.maxPickleBytes = Math.min(maxPickleBytes, TorchCheckpointReader.MAX_ARRAY);
    this.maxStorageBytes = Math.min(maxStorageBytes, TorchCheckpointReader.MAX_ARRAY);
    this.maxTensorElements = maxTensorElements;
  }

  /** Reads {@code file} and returns its main object, tensors as {@link TensorData}. */
  static Object read(Path file, long maxPickleBytes, long maxStorageBytes, long maxTensorElements)
      throws WeightsException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return new LegacyCheckpoint(file, ch, ch.size(), maxPickleBytes, maxStorageBytes,
          maxTensorElements).read();
    } catch (WeightsException e) {
      throw e;
    } catch (IOException e) {
      throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
    } catch (ArithmeticException | IllegalArgumentException e) {
      // Sizes whose product overflows, negative dimensions: a corrupt or crafted file.
      throw new WeightsException(file + ": invalid tensor or storage in the legacy checkpoint: "
          + e.getMessage(), e);
    }
  }

  private Object read() throws WeightsException {
    long at = 0;
    Prefix magic = pickle(at, HEADER_PICKLE_LIMIT, "magic number", null);
    if (!MAGIC.equals(asBig(magic.value()))) {
      throw new WeightsException(file + ": a pickle, but not a torch.save checkpoint: its first "
          + "value is " + show(magic.value()) + ", not torch's magic number 0x"
          + MAGIC.toString(16));
    }
    at += magic.length();
    Prefix version = pickle(at, HEADER_PICKLE_LIMIT, "protocol version", null);
    if (!(version.value() instanceof Long v) || v != PROTOCOL_VERSION) {
      throw new WeightsException(file + ": unsupported legacy protocol version "
          + show(version.value()) + " (expected " + PROTOCOL_VERSION + ")");
    }
    at += version.length();
    Prefix sysInfo = pickle(at, HEADER_PICKLE_LIMIT, "sys_info", null);
    order = byteOrder(sysInfo.value());
    at += sysInfo.length();

    long mainAt = at;
    FileSource mainSource = new FileSource(mainAt, maxPickleBytes, "main");
    Resolver resolver = new Resolver(mainWhere(mainAt));
    // Pass one: every global, persistent id and view is checked; nothing is read or built yet.
    int mainLength = RestrictedUnpickler.loadPrefix(mainSource, mainWhere(mainAt), resolver)
        .length();
    at += mainLength;

    Prefix keyList = pickle(at, maxPickleBytes, "storage key list", null);
    at += keyList.length();
    List<String> keys = storageKeys(keyList.value());
    locateStorages(at, keys);

    resolver.resolving = true;
    return RestrictedUnpickler.load(mainSource.buffer, mainWhere(mainAt), resolver);
  }

  private String mainWhere(long at) {
    return file + " (legacy main pickle at byte " + at + ")";
  }

  /** Runs the pickle starting at byte {@code at}; {@code host} null refuses persistent ids. */
  private Prefix pickle(long at, long limit, String what, RestrictedUnpickler.Host host)
      throws WeightsException {
    String where = file + " (legacy " + what + " pickle at byte " + at + ")";
    RestrictedUnpickler.Host h = host != null ? host : new RestrictedUnpickler.Host() {
      @Override
      public Object persistentLoad(Object pid) throws WeightsException {
        throw new WeightsException(where + ": persistent id where the format has none");
      }

      @Override
      public Object rebuildTensor(Object storage, long offset, long[] size, long[] stride)
          throws WeightsException {
        throw new WeightsException(where + ": tensor where the format has none");
      }
    };
    if (at >= fileSize) {
      throw new WeightsException(file + ": the file ends at byte " + fileSize + " before the "
          + what + " pickle (truncated?)");
    }
    return RestrictedUnpickler.loadPrefix(new FileSource(at, limit, what), where, h);
  }

  private ByteOrder byteOrder(Object sysInfo) throws WeightsException {
    if (!(sysInfo instanceof PickleDict d)) {
      throw new WeightsException(file + ": legacy sys_info is a "
          + RestrictedUnpickler.describe(sysInfo) + ", not a dict");
    }
    Object little = d.items.get("little_endian");
    if (little == null) {
      return ByteOrder.LITTLE_ENDIAN; // every torch wrote it; absent, assume the common case
    }
    if (!(little instanceof Boolean b)) {
      throw new WeightsException(file + ": legacy sys_info little_endian is a "
          + RestrictedUnpickler.describe(little) + ", not a bool");
    }
    LOG.debug("{}: legacy checkpoint, sys_info {}", file, d.items);
    return b ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
  }

  private List<String> storageKeys(Object value) throws WeightsException {
    if (!(value instanceof List<?> list)) {
      throw new WeightsException(file + ": the legacy storage key list is a "
          + RestrictedUnpickler.describe(value) + ", not a list");
    }
    Set<String> keys = new LinkedHashSet<>();
    for (Object o : list) {
      if (!(o instanceof String key)) {
        throw new WeightsException(file + ": the legacy storage key list holds a "
            + RestrictedUnpickler.describe(o) + " instead of a str");
      }
      if (!roots.containsKey(key)) {
        throw new WeightsException(file + ": the legacy storage key list names storage '" + key
            + "', which no tensor in the main pickle uses");
      }
      if (!keys.add(key)) {
        throw new WeightsException(file + ": storage '" + key + "' listed twice");
      }
    }
    for (String key : roots.keySet()) {
      if (!keys.contains(key)) {
        throw new WeightsException(file + ": storage '" + key + "' is used by the main pickle "
            + "but has no data in the file");
      }
    }
    return new ArrayList<>(keys);
  }

  /** Walks the storage records after the key list, checking each count against the pickle. */
  private void locateStorages(long at, List<String> keys) throws WeightsException {
    ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      Root root = roots.get(key);
      String where = file + ": storage '" + key + "' (" + (i + 1) + " of " + keys.size() + ")";
      if (fileSize - at < 8) {
        throw new WeightsException(where + " should start at byte " + at + " but the file ends at "
            + fileSize + " (truncated?)");
      }
      count.clear();
      readFully(at, count);
      long numel = count.getLong(0);
      if (numel != root.numel()) {
        throw new WeightsException(where + " holds " + numel + " elements, the pickle declares "
            + root.numel() + " (corrupt file?)");
      }
      long bytes = Math.multiplyExact(numel, root.dtype().byteSize());
      if (bytes > maxStorageBytes) {
        throw new WeightsException(where + ": " + bytes + " bytes exceed the limit of "
            + maxStorageBytes + " bytes");
      }
      if (bytes > fileSize - at - 8) {
        throw new WeightsException(where + " needs " + bytes + " bytes from byte " + (at + 8)
            + " but the file ends at " + fileSize + " (truncated?)");
      }
      dataAt.put(key, at + 8);
      at += 8 + bytes;
    }
    if (at != fileSize) {
      // torch.load ignores what follows the last storage, so a file with a tail still loads.
      LOG.warn("{}: {} bytes after the last storage are ignored", file, fileSize - at);
    }
  }

  private ByteBuffer load(String key) throws WeightsException {
    ByteBuffer cached = loaded.get(key);
    if (cached == null) {
      Root root = roots.get(key);
      // Bounded by maxStorageBytes and by the file's length in locateStorages.
      int bytes = Math.toIntExact(root.numel() * root.dtype().byteSize());
      cached = ByteBuffer.allocate(bytes);
      readFully(dataAt.get(key), cached);
      cached.order(order);
      loaded.put(key, cached);
    }
    return cached;
  }

  private void readFully(long at, ByteBuffer dst) throws WeightsException {
    try {
      long pos = at;
      while (dst.hasRemaining()) {
        int n = channel.read(dst, pos);
        if (n < 0) {
          throw new WeightsException(file + ": ends at byte " + pos + " while reading "
              + dst.capacity() + " bytes from byte " + at + " (truncated?)");
        }
        pos += n;
      }
    } catch (WeightsException e) {
      throw e;
    } catch (IOException e) {
      throw new WeightsException(file + ": cannot read at byte " + at + ": " + e.getMessage(), e);
    }
  }

  private static BigInteger asBig(Object o) {
    if (o instanceof BigInteger b) {
      return b;
    }
    return o instanceof Long l ? BigInteger.valueOf(l) : null;
  }

  private static String show(Object o) {
    if (o instanceof Long || o instanceof BigInteger || o instanceof Boolean || o instanceof Double) {
      return RestrictedUnpickler.describe(o) + " " + o;
    }
    if (o instanceof String s) {
      return "str '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
    return "a " + RestrictedUnpickler.describe(o);
  }

  /** Feeds a pickle from the file, reading ahead in doubling chunks up to its limit. */
  private final class FileSource implements RestrictedUnpickler.Source {
    private final long start;
    private final long limit;
    private final String what;
    /** The bytes read so far; after a run, they start with the whole pickle. */
    byte[] buffer = new byte[0];

    FileSource(long start, long limit, String what) {
      this.start = start;
      this.limit = limit;
      this.what = what;
    }

    @Override
    public byte[] extend(byte[] current, long minLength) throws WeightsException {
      if (minLength > limit) {
        throw new WeightsException(file + ": the legacy " + what + " pickle at byte " + start
            + " is longer than the limit of " + limit + " bytes");
      }
      long available = Math.min(limit, fileSize - start);
      long target = Math.min(Math.max(minLength, Math.max(2L * current.length, 4096)), available);
      if (target <= current.length) {
        return current; // the file ends here; the unpickler reports the truncation
      }
      byte[] next = Arrays.copyOf(current, (int) target);
      readFully(start + current.length,
          ByteBuffer.wrap(next, current.length, next.length - current.length));
      buffer = next;
      return next;
    }
  }

  /** Resolves persistent ids, and (in pass two) copies tensors out of their storages. */
  private final class Resolver implements RestrictedUnpickler.Host {
    private final String where;
    boolean resolving;

    Resolver(String where) {
      this.where = where;
    }

    @Override
    public Object persistentLoad(Object pid) throws WeightsException {
      if (pid instanceof Tuple t && !t.items.isEmpty() && "module".equals(t.items.get(0))) {
        throw new WeightsException(where + ": the checkpoint pickles a whole nn.Module, not a "
            + "state dict; in Python, save model.state_dict() instead");
      }
      if (!(pid instanceof Tuple t) || t.items.size() != 6 || !"storage".equals(t.items.get(0))
          || !(t.items.get(1) instanceof StorageType type)
          || !(t.items.get(2) instanceof String key) || !(t.items.get(3) instanceof String)
          || !(t.items.get(4) instanceof Long numel) || numel < 0) {
        throw new WeightsException(where + ": unsupported persistent id; expected ('storage', "
            + "torch.XStorage, key, location, numel, view_metadata)");
      }
      DType dtype = type.dtype();
      Root declared = roots.putIfAbsent(key, new Root(dtype, numel));
      if (declared != null && !declared.equals(new Root(dtype, numel))) {
        throw new WeightsException(where + ": storage '" + key + "' is declared as " + numel
            + " x " + dtype + " and as " + declared.numel() + " x " + declared.dtype());
      }
      Object view = t.items.get(5);
      if (view == null) {
        return new StorageRef(key, dtype, 0, numel);
      }
      if (!(view instanceof Tuple v) || v.items.size() != 3 || !(v.items.get(0) instanceof String)
          || !(v.items.get(1) instanceof Long offset) || !(v.items.get(2) instanceof Long size)
          || offset < 0 || size < 0 || offset > numel - size) {
        throw new WeightsException(where + ": storage '" + key + "' has an invalid view "
            + "(expected (view_key, offset, size) within its " + numel + " elements)");
      }
      return new StorageRef(key, dtype, offset, size);
    }

    @Override
    public Object rebuildTensor(Object storage, long offset, long[] size, long[] stride)
        throws WeightsException {
      if (!(storage instanceof StorageRef ref)) {
        throw new WeightsException(where + ": tensor rebuilt from a "
            + RestrictedUnpickler.describe(storage) + " instead of a storage");
      }
      String tensorWhere = file + " (storage '" + ref.rootKey() + "')";
      int numel = TorchCheckpointReader.checkView(tensorWhere, ref.numel(), offset, size, stride,
          maxTensorElements);
      if (!resolving) {
        return UNRESOLVED;
      }
      ByteBuffer buf = numel == 0 ? ByteBuffer.allocate(0) : load(ref.rootKey());
      return TorchCheckpointReader.gather(ref.dtype(), buf, ref.offset() + offset, size, stride,
          numel);
    }
  }
}
