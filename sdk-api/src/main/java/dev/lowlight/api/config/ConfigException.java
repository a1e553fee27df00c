package dev.lowlight.api.config;

/**
 * A configuration is invalid. The message starts with the file (when there is one) and the path of
 * the offending key ({@code denoise.stages[2]}), then says what is allowed.
 */
public class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String path;

  public ConfigException(String path, String message) {
    super(path == null || path.isEmpty() ? message : path + ": " + message);
    this.path = path == null ? "" : path;
  }

  public ConfigException(String path, String message, Throwable cause) {
    this(path, message);
    initCause(cause);
  }

  /** The dotted path of the offending key, empty for the whole document. */
  public String path() {
    return path;
  }

  /** The same problem, prefixed with the file it was found in. */
  public ConfigException inFile(String file) {
    ConfigException e = new ConfigException(path.isEmpty() ? file : file + ": " + path, getMessage().substring(
        path.isEmpty() ? 0 : path.length() + 2));
    e.initCause(this);
    return e;
  }
}
