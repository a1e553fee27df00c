package dev.lowlight.model.export;

/**
 * An exported graph does not compute what the model computes; the message names the first block
 * whose outputs differ (and its plugin), or the end-to-end difference.
 */
public final class ExportVerificationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String block;

  ExportVerificationException(String block, String message, Throwable cause) {
    super(message, cause);
    this.block = block;
  }

  /** The path of the first block that differs ({@code backbone.denoise.res3}), or null when none was found. */
  public String block() {
    return block;
  }
}
