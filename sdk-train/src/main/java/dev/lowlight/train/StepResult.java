package dev.lowlight.train;

import java.util.Map;

/**
 * What one optimizer step did.
 *
 * @param iteration iterations completed, this one included
 * @param lr the learning rate used
 * @param losses each loss term, averaged over the accumulated micro-batches and replicas
 * @param gradNorm the global gradient norm before clipping
 */
record StepResult(int iteration, double lr, Map<String, Double> losses, double gradNorm) {

  /** The sum of the loss terms. */
  double loss() {
    return losses.values().stream().mapToDouble(Double::doubleValue).sum();
  }
}
