package dev.lowlight.api.onnx;

import ai.onnx.proto.OnnxMl;

/**
 * Short forms of the ONNX operators that fixed (parameter-free) stages are lowered with, over one
 * {@link OnnxScope}: the image transform, anchors, proposal selection, RoIAlign and
 * post-processing write their graph form with these, next to their eager code. Scalars made by
 * {@link #f} and {@link #l} are rank 0, so they broadcast against anything.
 *
 * <pre>{@code
 * GraphOps g = new GraphOps(scope);
 * String clipped = g.min(g.max(boxes, g.f(0f)), limits);
 * }</pre>
 */
public final class GraphOps {

  /** ONNX's element type code of float32, for {@link #cast}. */
  public static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
  /** ONNX's element type code of int64, for {@link #cast}. */
  public static final int INT64 = OnnxMl.TensorProto.DataType.INT64_VALUE;
  /** ONNX's element type code of float64, for {@link #cast}. */
  public static final int DOUBLE = OnnxMl.TensorProto.DataType.DOUBLE_VALUE;

  private final OnnxScope s;

  /** Operators written into {@code scope}. */
  public GraphOps(OnnxScope scope) {
    this.s = scope;
  }

  /** The scope nodes are written into, for operators without a short form here. */
  public OnnxScope scope() {
    return s;
  }

  public String op(String type, String... inputs) {
    return s.node(type).input(inputs).output();
  }

  /** A rank-0 float constant. */
  public String f(float v) {
    return s.scalar(v);
  }

  /** A rank-0 int64 constant. */
  public String l(long v) {
    return s.scalar(v);
  }

  /** A 1-D int64 constant. */
  public String longs(long... v) {
    return s.longs(v);
  }

  public String add(String a, String b) {
    return op("Add", a, b);
  }

  public String sub(String a, String b) {
    return op("Sub", a, b);
  }

  public String mul(String a, String b) {
    return op("Mul", a, b);
  }

  public String div(String a, String b) {
    return op("Div", a, b);
  }

  public String min(String a, String b) {
    return op("Min", a, b);
  }

  public String max(String a, String b) {
    return op("Max", a, b);
  }

  public String shape(String x) {
    return op("Shape", x);
  }

  public String cast(String x, int to) {
    return s.node("Cast").input(x).attr("to", (long) to).output();
  }

  /** {@code x[start:end]} along {@code axis}. */
  public String slice(String x, long start, long end, long axis) {
    return op("Slice", x, longs(start), longs(end), longs(axis));
  }

  public String gather(String x, String indices, long axis) {
    return s.node("Gather").input(x, indices).attr("axis", axis).output();
  }

  /** Element {@code i} of a 1-D tensor, as a rank-0 tensor. */
  public String at(String x, long i) {
    return gather(x, l(i), 0);
  }

  public String reshape(String x, long... shape) {
    return op("Reshape", x, longs(shape));
  }

  /** A 1-D view of {@code x}. */
  public String flat(String x) {
    return reshape(x, -1);
  }

  public String unsqueeze(String x, long... axes) {
    return op("Unsqueeze", x, longs(axes));
  }

  public String transpose(String x, long... perm) {
    return s.node("Transpose").input(x).attr("perm", perm).output();
  }

  public String concat(long axis, String... xs) {
    return s.node("Concat").input(xs).attr("axis", axis).output();
  }

  /** {@code [0, 1, ..., n-1]} for a rank-0 int64 {@code n}. */
  public String range(String n) {
    return op("Range", l(0), n, l(1));
  }

  /** A tensor of {@code shape} (1-D int64) filled with the int64 {@code value}. */
  public String fillLong(String shape, long value) {
    return s.node("ConstantOfShape").input(shape).attr("value", OnnxTensors.longs("value", new long[] {value}, 1))
        .output();
  }

  /** The indices where a 1-D boolean tensor is true, as a 1-D int64 tensor. */
  public String where(String condition) {
    return flat(op("NonZero", condition));
  }

  /** The first {@code min(k, n)} values of the 1-D {@code x} by descending value: {values, indices}. */
  public String[] topK(String x, long k) {
    String count = min(shape(x), longs(k));
    var out = s.node("TopK").input(x, count).attr("axis", 0L).attr("largest", 1L).attr("sorted", 1L).outputs(2);
    return new String[] {out.get(0), out.get(1)};
  }
}
