package dev.lowlight.data.image;

import java.nio.file.Path;

/** An image file could not be read: missing, empty, truncated, corrupt or of an unknown format. */
public final class ImageReadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String source;
  private final String problem;

  /** An exception whose message names {@code file} and the problem. */
  public ImageReadException(Path file, String problem, Throwable cause) {
    super("cannot read image " + file + ": " + problem, cause);
    this.file = file;
    this.source = String.valueOf(file);
    this.problem = problem;
  }

  /**
   * An exception about encoded bytes that did not come from a local file (a URI, an archive entry,
   * a row of a distributed dataset); the message names {@code source} and the problem.
   */
  public ImageReadException(String source, String problem, Throwable cause) {
    super("cannot read image " + source + ": " + problem, cause);
    this.file = null;
    this.source = source;
    this.problem = problem;
  }

  /** What is wrong, without the name of what was read. */
  public String problem() {
    return problem;
  }

  /** The same problem, about {@code file}: bytes checked under a name turn out to be a file's. */
  ImageReadException about(Path file) {
    return this.file != null || file == null ? this : new ImageReadException(file, problem, getCause());
  }

  /** An exception without an underlying cause. */
  public ImageReadException(Path file, String problem) {
    this(file, problem, null);
  }

  /** An exception about bytes named {@code source}, without an underlying cause. */
  public ImageReadException(String source, String problem) {
    this(source, problem, null);
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
