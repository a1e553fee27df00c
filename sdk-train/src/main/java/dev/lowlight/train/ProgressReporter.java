package dev.lowlight.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Passes the loop's events to the user's {@link TrainingProgress.Listener} (a progress bar), with
 * the mean time per iteration of this process and the time left.
 */
final class ProgressReporter implements TrainingListener {

  private final TrainingProgress.Listener progress;
  private final RunSummary summary;
  private final int maxIterations;
  private final long loopStart;
  private int done;

  /** @param loopStart {@link System#nanoTime} when this process's first iteration began */
  ProgressReporter(TrainingProgress.Listener progress, RunSummary summary, int maxIterations, long loopStart) {
    this.progress = progress;
    this.summary = summary;
    this.maxIterations = maxIterations;
    this.loopStart = loopStart;
  }

  @Override
  public void onStep(StepResult step) {
    done++;
  }

  @Override
  public void onValidation(ValidationResult validation) {
    progress.onValidation(validation.iteration(), validation.result());
  }

  @Override
  public void onIterationEnd(StepResult step, boolean validated) {
    double perIt = (System.nanoTime() - loopStart) / 1e9 / done;
    // A copy: the listener may keep it while the next iteration changes the summary.
    Map<String, Double> shown = new LinkedHashMap<>(summary.finalMetrics());
    progress.onIteration(new TrainingProgress(step.iteration(), maxIterations, step.lr(), shown, perIt,
        perIt * (maxIterations - step.iteration())));
  }
}
