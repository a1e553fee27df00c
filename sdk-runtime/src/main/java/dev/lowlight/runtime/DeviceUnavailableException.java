package dev.lowlight.runtime;

/**
 * The requested device cannot run the model: the CUDA execution provider is not in the ONNX
 * Runtime build on the classpath, or its CUDA/cuDNN libraries or the GPU are missing. The message
 * says which and what to install.
 */
public final class DeviceUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}, which says what is missing and how to get it. */
  public DeviceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
