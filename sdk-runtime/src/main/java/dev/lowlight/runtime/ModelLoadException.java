package dev.lowlight.runtime;

import java.nio.file.Path;

/**
 * A model file could not be opened: missing, empty, corrupted or truncated, not ONNX, or an ONNX
 * model that does not follow the lowlight contract (a model from another tool). The message names
 * the file and what is wrong.
 */
public final class ModelLoadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /** An exception whose message names {@code file} and {@code problem}. */
  public ModelLoadException(Path file, String problem, Throwable cause) {
    super("cannot load model " + file + ": " + problem, cause);
    this.file = file;
  }

  /** An exception without an underlying cause. */
  public ModelLoadException(Path file, String problem) {
    this(file, problem, null);
  }

  /** The model file. */
  public Path file() {
    return file;
  }
}
