package dev.lowlight.runtime;

import java.util.Locale;

/**
 * Where ONNX Runtime runs a model: {@code cpu}, {@code cuda} / {@code cuda:N} (the CUDA execution
 * provider on GPU {@code N}), or {@code auto} (CUDA when the provider and its libraries load, else
 * the CPU with one warning).
 *
 * <pre>{@code
 * Device d = Device.parse("cuda:1");   // Kind.CUDA, index 1
 * }</pre>
 *
 * @param kind the kind of device
 * @param index the GPU index for {@link Kind#CUDA} and {@link Kind#AUTO}; 0 for the CPU
 */
public record Device(Kind kind, int index) {

  /** The kinds of device. */
  public enum Kind {
    /** ONNX Runtime's default CPU provider. */
    CPU,
    /** The CUDA execution provider; fails when it cannot be used. */
    CUDA,
    /** CUDA when available, else the CPU with a warning. */
    AUTO
  }

  /** The CPU. */
  public static final Device CPU = new Device(Kind.CPU, 0);

  /** Checks the index. */
  public Device {
    if (kind == null) {
      throw new IllegalArgumentException("device kind must not be null");
    }
    if (index < 0) {
      throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }
    if (kind == Kind.CPU && index != 0) {
      throw new IllegalArgumentException("the cpu device has no index, got cpu:" + index);
    }
  }

  /**
   * Parses {@code cpu}, {@code cuda}, {@code cuda:N}, {@code auto} or {@code auto:N}
   * (case-insensitive).
   *
   * @throws IllegalArgumentException naming the value and the accepted forms
   */
  public static Device parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("device must be one of cpu, cuda, cuda:N, auto; got null");
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    String name = t;
    int index = 0;
    int colon = t.indexOf(':');
    if (colon >= 0) {
      name = t.substring(0, colon);
      try {
        index = Integer.parseInt(t.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("device '" + text + "': the GPU index after ':' must be a"
            + " number (cpu, cuda, cuda:N, auto)", e);
      }
      if (index < 0) {
        throw new IllegalArgumentException("device '" + text + "': the GPU index must be >= 0");
      }
    }
    switch (name) {
      case "cpu":
        if (colon >= 0) {
          throw new IllegalArgumentException("device '" + text + "': cpu takes no index");
        }
        return CPU;
      case "cuda":
      case "gpu":
        return new Device(Kind.CUDA, index);
      case "auto":
        return new Device(Kind.AUTO, index);
      default:
        throw new IllegalArgumentException("device '" + text + "' is not one of cpu, cuda, cuda:N, auto");
    }
  }

  @Override
  public String toString() {
    return kind == Kind.CPU ? "cpu" : kind.name().toLowerCase(Locale.ROOT) + ":" + index;
  }
}
