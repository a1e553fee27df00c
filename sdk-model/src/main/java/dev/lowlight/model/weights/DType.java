package dev.lowlight.model.weights;

import java.util.Locale;
import java.util.Optional;

/**
 * Element types a weight file may store. Floating types are widened (or, for {@link #FLOAT64},
 * narrowed) to {@code float} when read; integer and boolean types are read as {@code long}.
 */
public enum DType {
  /** IEEE 754 single precision. */
  FLOAT32(4, true, "F32", "FloatStorage"),
  /** IEEE 754 half precision. */
  FLOAT16(2, true, "F16", "HalfStorage"),
  /** bfloat16: the upper 16 bits of a float32. */
  BFLOAT16(2, true, "BF16", "BFloat16Storage"),
  /** IEEE 754 double precision; read as float32, so precision beyond float's is lost. */
  FLOAT64(8, true, "F64", "DoubleStorage"),
  /** Signed 64-bit integer. */
  INT64(8, false, "I64", "LongStorage"),
  /** Signed 32-bit integer. */
  INT32(4, false, "I32", "IntStorage"),
  /** Signed 16-bit integer. */
  INT16(2, false, "I16", "ShortStorage"),
  /** Signed 8-bit integer. */
  INT8(1, false, "I8", "CharStorage"),
  /** Unsigned 8-bit integer. */
  UINT8(1, false, "U8", "ByteStorage"),
  /** Boolean, one byte per element, 0 or 1. */
  BOOL(1, false, "BOOL", "BoolStorage");

  private final int byteSize;
  private final boolean floating;
  private final String safetensorsName;
  private final String torchStorage;

  DType(int byteSize, boolean floating, String safetensorsName, String torchStorage) {
    this.byteSize = byteSize;
    this.floating = floating;
    this.safetensorsName = safetensorsName;
    this.torchStorage = torchStorage;
  }

  /** Bytes per element in a file. */
  public int byteSize() {
    return byteSize;
  }

  /** Whether values are held as {@code float[]} (else {@code long[]}). */
  public boolean isFloatingPoint() {
    return floating;
  }

  /** The dtype's name in a safetensors header ({@code F32}, {@code BF16}, ...). */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** The storage class PyTorch pickles for this dtype ({@code FloatStorage}, ...). */
  public String torchStorageName() {
    return torchStorage;
  }

  /** The dtype whose safetensors name is {@code name}, if this reader supports it. */
  public static Optional<DType> fromSafetensors(String name) {
    for (DType d : values()) {
      if (d.safetensorsName.equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** The dtype of the PyTorch storage class {@code name} (e.g. {@code HalfStorage}). */
  public static Optional<DType> fromTorchStorage(String name) {
    for (DType d : values()) {
      if (d.torchStorage.equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
