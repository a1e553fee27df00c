package dev.lowlight.model.weights;

/**
 * A strict {@link StateDictLoader#load} found missing keys, unexpected keys or shape mismatches;
 * the message lists them as PyTorch's {@code load_state_dict(strict=True)} does, and nothing was
 * copied into the block.
 */
public final class StateDictMismatchException extends RuntimeException {

  private final transient LoadReport report;

  /** Creates the error from the report of what did not match. */
  public StateDictMismatchException(String what, LoadReport report) {
    super("Error(s) in loading state_dict for " + what + ":\n" + report.describe());
    this.report = report;
  }

  /** What did not match. */
  public LoadReport report() {
    return report;
  }
}
