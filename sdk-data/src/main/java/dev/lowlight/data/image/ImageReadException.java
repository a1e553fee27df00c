package dev.lowlight.data.image;

import java.nio.file.Path;

/** An image file could not be read: missing, empty, truncated, corrupt or of an unknown format. */
public final class ImageReadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String source;

  /** An exception whose message names {@code file} and the problem. */
  public ImageReadException(Path file, String problem, Throwable cause) {
    super("cannot read image " + file + ": " + problem, cause);
    this.file = file;
    this.source = String.valueOf(file);
  }

  /**
   * An exception about encoded bytes that did not come from a local file (a URI, an archive entry,
   * a row of a distributed dataset); the message names {@code source} and the problem.
   */
  public ImageReadException(String source, String problem, Throwable cause) {
    super("cannot read image " + source + ": " + problem, cause);
    this.file = null;
    this.source = source;
  }

  /** An exception without an underlying cause. */
  public ImageReadException(Path file, String problem) {
    this(file, problem, null);
  }

  /** The file that could not be read, or {@code null} when the bytes came from elsewhere. */
  public Path file() {
    return file;
  }

  /** What could not be read, as named in the message: the file, or the name given with the bytes. */
  public String source() {
    return source;
  }
}
