package dev.lowlight.model.io;

import java.io.IOException;
import java.nio.file.Path;

/** A model directory or one of its files is missing, corrupt or inconsistent; the message names the file. */
public final class ModelDirectoryException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /** An error about {@code file}; the message is prefixed with it. */
  public ModelDirectoryException(Path file, String message) {
    this(file, message, null);
  }

  /** An error about {@code file} caused by {@code cause}. */
  public ModelDirectoryException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file (or directory) the error is about. */
  public Path file() {
    return file;
  }
}
