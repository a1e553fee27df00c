package dev.lowlight.api.onnx;

/**
 * One dimension of a graph input or output: fixed ({@link #of(long)}) or named and dynamic
 * ({@link #dynamic(String)}).
 *
 * @param value the size, or -1 when dynamic
 * @param name the symbolic name when dynamic, else null
 */
public record Dim(long value, String name) {

  /** A fixed dimension. */
  public static Dim of(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("fixed dimension must be >= 0, got " + value);
    }
    return new Dim(value, null);
  }

  /** A dynamic dimension with a symbolic name such as {@code "H"}. */
  public static Dim dynamic(String name) {
    return new Dim(-1, name);
  }

  /** Whether the size is only known at run time. */
  public boolean isDynamic() {
    return name != null;
  }
}
