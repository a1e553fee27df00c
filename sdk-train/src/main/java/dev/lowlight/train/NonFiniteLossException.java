package dev.lowlight.train;

/**
 * A loss term (or the gradient norm) was NaN or infinite: the run stops before the update, and the
 * last checkpoint written stays the last good one.
 */
public final class NonFiniteLossException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int iteration;
  private final String term;

  /**
   * @param iteration the 0-based iteration
   * @param term the loss term's name (or {@code gradient_norm})
   * @param value its value
   */
  public NonFiniteLossException(int iteration, String term, double value) {
    super("training stopped at iteration " + iteration + ": " + term + " is " + value
        + "; the last good checkpoint is kept (lower the learning rate, enable clip_grad_norm, or check the data)");
    this.iteration = iteration;
    this.term = term;
  }

  /** The iteration. */
  public int iteration() {
    return iteration;
  }

  /** The loss term. */
  public String term() {
    return term;
  }
}
