package dev.lowlight.data.coco;

/**
 * A COCO file or a run-length string is malformed. The message names the source (a file, or
 * {@code <input>}), the JSON path of the offending value ({@code annotations[17].bbox}, with the
 * annotation id where there is one) and the problem.
 */
public class CocoFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final String path;
  private final String problem;

  /**
   * Creates the exception.
   *
   * @param source the file or stream the value came from, {@code null} when not known
   * @param path the JSON path of the offending value, {@code null} or empty for the whole document
   * @param problem what is wrong, and what is allowed
   */
  public CocoFormatException(String source, String path, String problem) {
    super(format(source, path, problem));
    this.source = source == null ? "" : source;
    this.path = path == null ? "" : path;
    this.problem = problem;
  }

  /**
   * Creates the exception with a cause (a parser error).
   *
   * @param source the file or stream the value came from, {@code null} when not known
   * @param path the JSON path of the offending value
   * @param problem what is wrong
   * @param cause the underlying error
   */
  public CocoFormatException(String source, String path, String problem, Throwable cause) {
    this(source, path, problem);
    initCause(cause);
  }

  private static String format(String source, String path, String problem) {
    StringBuilder sb = new StringBuilder();
    if (source != null && !source.isEmpty()) {
      sb.append(source).append(": ");
    }
    if (path != null && !path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(problem).toString();
  }

  /** The file or stream, empty when not known. */
  public String source() {
    return source;
  }

  /** The JSON path of the offending value, empty for the whole document. */
  public String path() {
    return path;
  }

  /** What is wrong, without source and path. */
  public String problem() {
    return problem;
  }

  /**
   * The same problem, located in a source and under a path prefix.
   *
   * @param newSource the file or stream
   * @param pathPrefix the path of the value that contained this one; may be empty
   * @return a new exception whose cause is this one
   */
  public CocoFormatException locate(String newSource, String pathPrefix) {
    String p = pathPrefix == null || pathPrefix.isEmpty() ? path
        : path.isEmpty() ? pathPrefix : pathPrefix + "." + path;
    return new CocoFormatException(newSource, p, problem, this);
  }
}
