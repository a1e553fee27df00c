package dev.lowlight.data.image;

import java.nio.file.Path;

/** An image file could not be read: missing, empty, truncated, corrupt or of an unknown format. */
public final class ImageReadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /** An exception whose message names {@code file} and the problem. */
  public ImageReadException(Path file, String problem, Throwable cause) {
    super("cannot read image " + file + ": " + problem, cause);
    this.file = file;
  }

  /** An exception without an underlying cause. */
  public ImageReadException(Path file, String problem) {
    this(file, problem, null);
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }
}
