package dev.lowlight.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what a run reports: the last iteration's losses with the last validation's metrics (the
 * {@link TrainingReport}'s final metrics), and the best validation segm AP with its iteration,
 * which checkpoints record and the best checkpoint is chosen by. Logs one line per validation.
 */
final class RunSummary implements TrainingListener {

  // The trainer's logger, so that the validation lines keep the logger name users filter on.
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final Map<String, Double> finalMetrics = new LinkedHashMap<>();
  private double bestAp;
  private int bestIteration;

  /** Starts from the best of a resumed checkpoint, or {@code -1, -1}. */
  RunSummary(double bestAp, int bestIteration) {
    this.bestAp = bestAp;
    this.bestIteration = bestIteration;
  }

  @Override
  public void onStep(StepResult step) {
    finalMetrics.clear();
    finalMetrics.put("loss", step.loss());
    finalMetrics.putAll(step.losses());
  }

  @Override
  public void onValidation(ValidationResult validation) {
    Validator.Result r = validation.result();
    Map<String, Double> reported = validation.denoiserReports();
    LOG.info("iteration {}: bbox AP {} AP50 {}, segm AP {} AP50 {}{}", validation.iteration(),
        fmt(r.bbox().stats().ap()), fmt(r.bbox().stats().ap50()), fmt(r.segm().stats().ap()),
        fmt(r.segm().stats().ap50()), reported.isEmpty() ? "" : ", denoisers " + reported);
    r.bbox().stats().asMap().forEach((k, x) -> finalMetrics.put("bbox." + k, x));
    r.segm().stats().asMap().forEach((k, x) -> finalMetrics.put("segm." + k, x));
    if (r.primaryAp() > bestAp) {
      bestAp = r.primaryAp();
      bestIteration = validation.iteration();
    }
  }

  /** The last losses and, once validated, the last validation's metrics; live, not a copy. */
  Map<String, Double> finalMetrics() {
    return finalMetrics;
  }

  double bestAp() {
    return bestAp;
  }

  /** The iteration of the best validation, or -1 before any. */
  int bestIteration() {
    return bestIteration;
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
