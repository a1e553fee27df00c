package dev.lowlight.train;

import java.io.IOException;

/**
 * Reacts to the events of a training loop, as DJL's {@code TrainingListener} or Detectron2's
 * hooks do, so that the loop itself only steps. For each iteration the {@link Trainer} calls every
 * listener's {@link #onStep}, then (when validation is due) every listener's {@link #onValidation},
 * then every listener's {@link #onIterationEnd}, in the order the listeners were given; that order
 * is the order of the lines in {@code metrics.jsonl}, the log and the checkpoints. After the last
 * iteration, with the metrics file closed, {@link #onEnd}.
 */
interface TrainingListener {

  /** After the optimizer step of an iteration. */
  default void onStep(StepResult step) throws IOException {}

  /** After the validation that followed the step of {@code validation.iteration()}. */
  default void onValidation(ValidationResult validation) throws IOException {}

  /**
   * Last in an iteration, after its validation if there was one.
   *
   * @param validated whether this iteration was validated
   */
  default void onIterationEnd(StepResult step, boolean validated) throws IOException {}

  /**
   * After the loop.
   *
   * @param start the iteration this process started from (0, or the one resumed from)
   * @param done the iterations this process ran
   */
  default void onEnd(int start, int done) throws IOException {}
}
