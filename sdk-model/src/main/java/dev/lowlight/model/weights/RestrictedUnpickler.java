package dev.lowlight.model.weights;

import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A pickle virtual machine that builds plain Java values and knows only the handful of Python
 * globals a PyTorch state dict needs. It never calls anything from the file: each allowed global
 * maps to a fixed Java action, and any other global fails the whole load at the opcode that
 * names it, so a malicious {@code __reduce__} can be neither executed nor half-returned.
 *
 * <p>Values: {@code dict}/{@code OrderedDict} become {@link PickleDict}, lists {@link ArrayList},
 * tuples {@link Tuple}, {@code str} {@link String}, {@code int} {@link Long} (or {@link
 * BigInteger} beyond 64 bits), {@code float} {@link Double}, {@code bool} {@link Boolean},
 * {@code None} {@code null}, {@code bytes} {@code byte[]}; tensors are whatever the {@link Host}
 * builds.
 */
final class RestrictedUnpickler {

  /** Builds the objects that live outside the pickle: storages and tensors. */
  interface Host {
    /** Resolves a persistent id ({@code ('storage', type, key, location, numel)}). */
    Object persistentLoad(Object pid) throws WeightsException;

    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)}. */
    Object rebuildTensor(Object storage, long offset, long[] size, long[] stride)
        throws WeightsException;
  }

  /**
   * Supplies a pickle that is read from the front of a longer input whose pickle length is not
   * known in advance (the legacy format, where several pickles and raw storages follow each
   * other in one file).
   */
  interface Source {
    /**
     * Returns an array that starts with the bytes of {@code current} and is at least
     * {@code minLength} long, or shorter where the input ends first.
     *
     * @throws WeightsException if {@code minLength} exceeds the configured pickle limit, or the
     *     input cannot be read
     */
    byte[] extend(byte[] current, long minLength) throws WeightsException;
  }

  /** A value read from the front of a {@link Source}, and how many bytes its pickle took. */
  record Prefix(Object value, int length) {}

  /** A Python dict; insertion-ordered, keys are scalars. */
  static final class PickleDict {
    final Map<Object, Object> items = new LinkedHashMap<>();
    /** Instance attributes set by BUILD (an OrderedDict's {@code _metadata}). */
    final Map<Object, Object> attributes = new LinkedHashMap<>();
  }

  /** A Python tuple; identity semantics so that cyclic structures never recurse. */
  static final class Tuple {
    final List<Object> items;

    Tuple(List<Object> items) {
      this.items = items;
    }
  }

  /** A storage class such as {@code torch.FloatStorage}; only usable inside a persistent id. */
  record StorageType(DType dtype) {}

  private enum Action {
    ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_PARAMETER_STATE,
    TORCH_SIZE, CODECS_ENCODE
  }

  /** A resolved, allowed global that REDUCE may apply. */
  private record Callable(String qualifiedName, Action action) {}

  private static final Map<String, Action> CALLABLES = Map.of(
      "collections.OrderedDict", Action.ORDERED_DICT,
      "torch._utils._rebuild_tensor_v2", Action.REBUILD_TENSOR_V2,
      "torch._utils._rebuild_tensor", Action.REBUILD_TENSOR,
      "torch._utils._rebuild_parameter", Action.REBUILD_PARAMETER,
      "torch._utils._rebuild_parameter_with_state", Action.REBUILD_PARAMETER_STATE,
      "torch.Size", Action.TORCH_SIZE,
      "_codecs.encode", Action.CODECS_ENCODE);

  private static final Object MARK = new Object() {
    @Override
    public String toString() {
      return "MARK";
    }
  };

  private byte[] data;
  private final Source input;
  private final String source;
  private final Host host;
  private int pos;
  private final ArrayList<Object> stack = new ArrayList<>();
  private final ArrayList<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private RestrictedUnpickler(byte[] data, Source input, String source, Host host) {
    this.data = data;
    this.input = input;
    this.source = source;
    this.host = host;
  }

  /**
   * Runs the pickle in {@code data} to its STOP opcode and returns the value.
   *
   * @param source file and entry name, used in every error message
   */
  static Object load(byte[] data, String source, Host host) throws WeightsException {
    return new RestrictedUnpickler(data, null, source, host).run();
  }

  /**
   * Runs the pickle at the front of {@code input} to its STOP opcode; the bytes after it are
   * left unread.
   *
   * @param source file and position, used in every error message
   */
  static Prefix loadPrefix(Source input, String source, Host host) throws WeightsException {
    RestrictedUnpickler u = new RestrictedUnpickler(new byte[0], input, source, host);
    Object value = u.run();
    return new Prefix(value, u.pos);
  }

  /** The allowed global {@code module.name}, if any: what a state dict may reference. */
  static Optional<Object> resolveGlobal(String module, String name) {
    String q = module + "." + name;
    Action a = CALLABLES.get(q);
    if (a != null) {
      return Optional.of(new Callable(q, a));
    }
    if (module.equals("torch") && name.endsWith("Storage")) {
      return DType.fromTorchStorage(name).map(StorageType::new);
    }
    return Optional.empty();
  }

  private Object run() throws WeightsException {
    while (true) {
      if (!available(1)) {
        throw error("pickle ends without a STOP opcode (truncated?)");
      }
      int opAt = pos;
      int op = data[pos++] & 0xff;
      switch (op) {
        case 0x80 -> { // PROTO
          int proto = u8();
          if (proto < 2 || proto > 5) {
            throw error("unsupported pickle protocol " + proto + " (expected 2 to 5)");
          }
        }
        case 0x95 -> skip(8); // FRAME: a size hint only
        case '}' -> push(new PickleDict());
        case ']' -> push(new ArrayList<>());
        case ')' -> push(new Tuple(List.of()));
        case '(' -> {
          marks.add(stack.size());
          stack.add(MARK);
        }
        case 'X' -> push(utf8(u32len()));
        case 0x8c -> push(utf8(u8len()));
        case 0x8d -> push(utf8(u64len()));
        case 'T' -> push(latin1(u32len()));
        case 'U' -> push(latin1(u8len()));
        case 'B' -> push(bytes(u32len()));
        case 'C' -> push(bytes(u8len()));
        case 0x8e -> push(bytes(u64len()));
        case 'J' -> push((long) i32());
        case 'K' -> push((long) u8());
        case 'M' -> push((long) (u8() | (u8() << 8)));
        case 0x8a -> push(longN(u8()));
        case 0x8b -> push(longN(u32len()));
        case 'G' -> push(Double.longBitsToDouble(beLong()));
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 'N' -> push(null);
        case 't' -> push(new Tuple(popMark()));
        case 0x85 -> push(tupleOf(1));
        case 0x86 -> push(tupleOf(2));
        case 0x87 -> push(tupleOf(3));
        case 's' -> {
          Object value = pop();
          Object key = pop();
          setItem(peek(), key, value);
        }
        case 'u' -> {
          List<Object> kv = popMark();
          if (kv.size() % 2 != 0) {
            throw error("SETITEMS with an odd number of items");
          }
          Object dict = peek();
          for (int i = 0; i < kv.size(); i += 2) {
            setItem(dict, kv.get(i), kv.get(i + 1));
          }
        }
        case 'a' -> {
          Object value = pop();
          list(peek()).add(value);
        }
        case 'e' -> {
          List<Object> items = popMark();
          list(peek()).addAll(items);
        }
        case 'q' -> memo.put((long) u8(), peek());
        case 'r' -> memo.put(u32(), peek());
        case 0x94 -> memo.put((long) memo.size(), peek());
        case 'h' -> push(memoGet(u8()));
        case 'j' -> push(memoGet(u32()));
        case 'c' -> push(global(line(), line()));
        case 0x93 -> {
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw error("STACK_GLOBAL needs two strings");
          }
          push(global(m, n));
        }
        case 'R' -> {
          Object args = pop();
          Object fn = pop();
          push(reduce(fn, args));
        }
        case 'b' -> {
          Object state = pop();
          build(peek(), state);
        }
        case 'Q' -> push(host.persistentLoad(pop()));
        case '0' -> pop();
        case '1' -> popMark();
        case '2' -> push(peek());
        case '.' -> {
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw error("STOP with " + stack.size() + " values on the stack (expected 1)");
          }
          return stack.get(0);
        }
        default -> throw new WeightsException(String.format(Locale.ROOT,
            "%s: unsupported pickle opcode 0x%02x at byte %d; a state dict never needs it",
            source, op, opAt));
      }
    }
  }

  private Object global(String module, String name) throws WeightsException {
    return resolveGlobal(module, name)
        .orElseThrow(() -> new ForbiddenGlobalException(source, module + "." + name));
  }

  private Object reduce(Object fn, Object argsObj) throws WeightsException {
    if (!(fn instanceof Callable c)) {
      throw error("REDUCE on a value that is not an allowed callable: " + describe(fn));
    }
    if (!(argsObj instanceof Tuple t)) {
      throw error("REDUCE arguments for " + c.qualifiedName() + " are not a tuple");
    }
    List<Object> a = t.items;
    switch (c.action()) {
      case ORDERED_DICT -> {
        if (!a.isEmpty()) {
          throw error("collections.OrderedDict called with arguments; expected none");
        }
        return new PickleDict();
      }
      case REBUILD_TENSOR_V2, REBUILD_TENSOR -> {
        int min = c.action() == Action.REBUILD_TENSOR ? 4 : 6;
        if (a.size() < min || a.size() > 7) {
          throw error(c.qualifiedName() + " called with " + a.size() + " arguments");
        }
        return host.rebuildTensor(a.get(0), asLong(a.get(1), "storage_offset"),
            longs(a.get(2), "size"), longs(a.get(3), "stride"));
      }
      case REBUILD_PARAMETER, REBUILD_PARAMETER_STATE -> {
        if (a.size() < 3 || a.get(0) == null || a.get(0) instanceof Callable) {
          throw error(c.qualifiedName() + " needs (tensor, requires_grad, hooks)");
        }
        // requires_grad and hooks only matter for autograd in Python; the data is what we keep.
        return a.get(0);
      }
      case TORCH_SIZE -> {
        if (a.size() != 1 || !(a.get(0) instanceof Tuple dims)) {
          throw error("torch.Size needs one tuple argument");
        }
        return dims;
      }
      case CODECS_ENCODE -> {
        if (a.size() != 2 || !(a.get(0) instanceof String s) || !"latin1".equals(a.get(1))) {
          throw error("_codecs.encode is only accepted as encode(str, 'latin1')");
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
      }
      default -> throw error("unhandled callable " + c.qualifiedName());
    }
  }

  private void build(Object target, Object state) throws WeightsException {
    if (!(target instanceof PickleDict d)) {
      throw error("BUILD on " + describe(target) + "; only dict attributes are accepted");
    }
    if (state == null) {
      return;
    }
    if (!(state instanceof PickleDict s)) {
      throw error("BUILD state of a dict must be a dict, got " + describe(state));
    }
    d.attributes.putAll(s.items);
  }

  private void setItem(Object dict, Object key, Object value) throws WeightsException {
    if (!(dict instanceof PickleDict d)) {
      throw error("SETITEM on " + describe(dict) + ", not a dict");
    }
    // Only scalar keys: they hash without recursing, so a crafted cyclic key cannot hang us.
    if (!(key == null || key instanceof String || key instanceof Long
        || key instanceof BigInteger || key instanceof Double || key instanceof Boolean)) {
      throw error("unsupported dict key of type " + describe(key));
    }
    d.items.put(key, value);
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object o) throws WeightsException {
    if (o instanceof ArrayList<?> l) {
      return (List<Object>) l;
    }
    throw error("APPEND on " + describe(o) + ", not a list");
  }

  private Object memoGet(long key) throws WeightsException {
    if (!memo.containsKey(key)) {
      throw error("memo key " + key + " read before it was written");
    }
    return memo.get(key);
  }

  private Tuple tupleOf(int n) throws WeightsException {
    if (stack.size() - base() < n) {
      throw error("TUPLE" + n + " on a stack with fewer than " + n + " values");
    }
    List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
    for (int i = 0; i < n; i++) {
      stack.remove(stack.size() - 1);
    }
    return new Tuple(items);
  }

  /** Index of the first stack slot above the innermost mark. */
  private int base() {
    return marks.isEmpty() ? 0 : marks.get(marks.size() - 1) + 1;
  }

  private List<Object> popMark() throws WeightsException {
    if (marks.isEmpty()) {
      throw error("no MARK on the stack");
    }
    int m = marks.remove(marks.size() - 1);
    List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
    stack.subList(m, stack.size()).clear();
    return items;
  }

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop() throws WeightsException {
    if (stack.size() <= base()) {
      throw error("pop from an empty stack (or across a MARK)");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() throws WeightsException {
    if (stack.size() <= base()) {
      throw error("read from an empty stack (or across a MARK)");
    }
    return stack.get(stack.size() - 1);
  }

  private long asLong(Object o, String what) throws WeightsException {
    if (o instanceof Long l) {
      return l;
    }
    throw error(what + " must be an int, got " + describe(o));
  }

  private long[] longs(Object o, String what) throws WeightsException {
    if (!(o instanceof Tuple t)) {
      throw error(what + " must be a tuple of ints, got " + describe(o));
    }
    long[] out = new long[t.items.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = asLong(t.items.get(i), what);
    }
    return out;
  }

  private WeightsException error(String message) {
    return new WeightsException(source + ": " + message + " (at pickle byte " + pos + ")");
  }

  static String describe(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Callable c) {
      return c.qualifiedName();
    }
    if (o instanceof StorageType s) {
      return "torch." + s.dtype().torchStorageName();
    }
    if (o instanceof PickleDict) {
      return "dict";
    }
    if (o instanceof Tuple) {
      return "tuple";
    }
    if (o instanceof List) {
      return "list";
    }
    if (o instanceof String) {
      return "str";
    }
    if (o instanceof Long || o instanceof BigInteger) {
      return "int";
    }
    if (o instanceof Double) {
      return "float";
    }
    if (o instanceof Boolean) {
      return "bool";
    }
    if (o instanceof byte[]) {
      return "bytes";
    }
    if (o instanceof TensorData) {
      return "tensor";
    }
    return o.getClass().getSimpleName();
  }

  // ---- raw reads, all bounds-checked against the pickle's length ----

  /** Whether {@code n} more bytes exist, pulling them from the source when there is one. */
  private boolean available(long n) throws WeightsException {
    if (n < 0 || n > Integer.MAX_VALUE - 8 - pos) {
      return false;
    }
    if (n > data.length - pos && input != null) {
      data = input.extend(data, pos + n);
    }
    return n <= data.length - pos;
  }

  private void need(long n) throws WeightsException {
    if (!available(n)) {
      throw error("needs " + n + " more bytes but only " + (data.length - pos) + " remain (truncated?)");
    }
  }

  private void skip(int n) throws WeightsException {
    need(n);
    pos += n;
  }

  private int u8() throws WeightsException {
    need(1);
    return data[pos++] & 0xff;
  }

  private int i32() throws WeightsException {
    need(4);
    int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16
        | (data[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  private long u32() throws WeightsException {
    return i32() & 0xffffffffL;
  }

  private int u8len() throws WeightsException {
    int n = u8();
    need(n);
    return n;
  }

  private int u32len() throws WeightsException {
    long n = u32();
    need(n);
    return (int) n;
  }

  private int u64len() throws WeightsException {
    need(8);
    long n = 0;
    for (int i = 7; i >= 0; i--) {
      n = (n << 8) | (data[pos + i] & 0xff);
    }
    pos += 8;
    need(n);
    return (int) n;
  }

  private long beLong() throws WeightsException {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (data[pos++] & 0xff);
    }
    return v;
  }

  private Object longN(int n) throws WeightsException {
    need(n);
    if (n == 0) {
      pos += 0;
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = data[pos + n - 1 - i];
    }
    pos += n;
    BigInteger v = new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private byte[] bytes(int n) {
    byte[] out = new byte[n];
    System.arraycopy(data, pos, out, 0, n);
    pos += n;
    return out;
  }

  private String utf8(int n) throws WeightsException {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(data, pos, n)).toString();
      pos += n;
      return s;
    } catch (CharacterCodingException e) {
      throw error("string is not valid UTF-8");
    }
  }

  private String latin1(int n) {
    String s = new String(data, pos, n, StandardCharsets.ISO_8859_1);
    pos += n;
    return s;
  }

  /** A newline-terminated ASCII line (the GLOBAL opcode's operands). */
  private String line() throws WeightsException {
    int end = pos;
    while (true) {
      if (!available(end - pos + 1L)) {
        throw error("GLOBAL name without a newline (truncated?)");
      }
      if (data[end] == '\n') {
        break;
      }
      if (end - pos > 256) {
        throw error("GLOBAL name longer than 256 characters");
      }
      end++;
    }
    String s = new String(data, pos, end - pos, StandardCharsets.US_ASCII);
    pos = end + 1;
    return s;
  }
}
