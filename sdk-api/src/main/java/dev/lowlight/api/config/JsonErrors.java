package dev.lowlight.api.config;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * One-line descriptions of JSON and YAML parse errors for users: the parser's own sentence and
 * the line and column, without Jackson's internals ({@code [Source: REDACTED ...]}, reference
 * chains, class names) that {@link JsonProcessingException#getMessage()} appends.
 *
 * <pre>{@code
 * catch (JsonProcessingException e) {
 *   throw new IOException(file + ": not valid JSON: " + JsonErrors.describe(e), e);
 * }
 * }</pre>
 */
public final class JsonErrors {

  private JsonErrors() {}

  /** {@code Unexpected end-of-input: expected close marker for Object (line 3, column 1)}. */
  public static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    int nl = message.indexOf('\n');
    if (nl >= 0) {
      message = message.substring(0, nl);
    }
    message = message.strip();
    if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
    return message;
  }
}
