package dev.lowlight.train;

import java.util.Map;

/**
 * What the trainer reports after each iteration, for a progress bar.
 *
 * @param iteration iterations completed
 * @param maxIterations iterations of the whole run
 * @param lr the learning rate used
 * @param losses each loss term and {@code loss}, their sum
 * @param secondsPerIteration mean time of the iterations run in this process
 * @param etaSeconds estimated time to the end of the run (validation excluded)
 */
public record TrainingProgress(int iteration, int maxIterations, double lr, Map<String, Double> losses,
    double secondsPerIteration, double etaSeconds) {

  /** Receives progress; called on the training thread, so it should return quickly. */
  @FunctionalInterface
  public interface Listener {
    /** Does nothing. */
    Listener NONE = p -> {};

    /** After each iteration. */
    void onIteration(TrainingProgress progress);

    /** After each validation; {@code result} holds bbox and segm metrics. */
    default void onValidation(int iteration, Validator.Result result) {}
  }
}
