package dev.lowlight.model.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a state dict, engine-free: its dtype in the file, its shape, and its values in
 * row-major (C) order. Floating dtypes hold {@link #floats()}, integer and boolean dtypes hold
 * {@link #longs()}; the other array is {@code null}.
 *
 * <p>Arrays are not copied on construction or access, for the sake of 100+ MB checkpoints; treat
 * them as read-only.
 *
 * @param dtype the element type the tensor had in its file
 * @param shape the dimensions; empty for a scalar
 * @param floats values of a floating tensor as float32, else {@code null}
 * @param longs values of an integer or boolean tensor, else {@code null}
 */
public record TensorData(DType dtype, long[] shape, float[] floats, long[] longs) {

  /** Checks that the values match the dtype's kind and the shape's element count. */
  public TensorData {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    shape = shape.clone();
    long n = numel(shape);
    if (dtype.isFloatingPoint()) {
      if (floats == null || longs != null) {
        throw new IllegalArgumentException(dtype + " tensor needs float values and no long values");
      }
      if (floats.length != n) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
            + " values, got " + floats.length);
      }
    } else {
      if (longs == null || floats != null) {
        throw new IllegalArgumentException(dtype + " tensor needs long values and no float values");
      }
      if (longs.length != n) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
            + " values, got " + longs.length);
      }
    }
  }

  /** A floating tensor ({@code dtype} must be floating). */
  public static TensorData ofFloats(DType dtype, long[] shape, float[] values) {
    return new TensorData(dtype, shape, values, null);
  }

  /** A float32 tensor. */
  public static TensorData ofFloats(long[] shape, float[] values) {
    return new TensorData(DType.FLOAT32, shape, values, null);
  }

  /** An integer or boolean tensor ({@code dtype} must not be floating). */
  public static TensorData ofLongs(DType dtype, long[] shape, long[] values) {
    return new TensorData(dtype, shape, null, values);
  }

  /** Number of elements of a tensor of this shape; rejects negative or overflowing shapes. */
  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** The shape (a copy). */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements. */
  public long numel() {
    return numel(shape);
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Whether the values are floats. */
  public boolean isFloatingPoint() {
    return dtype.isFloatingPoint();
  }

  /** The values as float32, converting integers where needed (a new array in that case). */
  public float[] toFloatArray() {
    if (floats != null) {
      return floats;
    }
    float[] out = new float[longs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = longs[i];
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorData t && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(floats),
        Arrays.hashCode(longs));
  }

  @Override
  public String toString() {
    return "TensorData[" + dtype + " " + Arrays.toString(shape) + "]";
  }
}
