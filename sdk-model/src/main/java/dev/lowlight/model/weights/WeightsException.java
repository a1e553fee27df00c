package dev.lowlight.model.weights;

import java.io.IOException;

/**
 * A weight file is unreadable: not the expected format, truncated, corrupt, or holding values
 * outside the bounds this reader accepts. The message names the file (and the zip entry or
 * tensor where there is one) and what is wrong.
 *
 * <p>Every reader in this package reports bad input through this type (or its subclass
 * {@link ForbiddenGlobalException}) and never through a bare runtime exception, so callers can
 * tell a bad file from a bug.
 */
public class WeightsException extends IOException {

  /** An error with a message that already names the file and the problem. */
  public WeightsException(String message) {
    super(message);
  }

  /** An error caused by a lower-level failure (I/O, zip, JSON) while reading a file. */
  public WeightsException(String message, Throwable cause) {
    super(message, cause);
  }
}
