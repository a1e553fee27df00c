package dev.lowlight.api.config;

import java.util.List;

/**
 * How to train: optimizer, schedule and what is trainable.
 *
 * @param optimizer {@code sgd} or {@code adamw}
 * @param baseLr learning rate after warm-up
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay (decoupled for AdamW)
 * @param schedule {@code multistep} or {@code cosine}
 * @param steps iterations at which {@code multistep} multiplies the rate by {@code gamma}
 * @param gamma multistep factor
 * @param warmupIters iterations of linear warm-up
 * @param warmupFactor rate multiplier at iteration 0 of the warm-up
 * @param maxIters total iterations
 * @param imsPerBatch images per iteration
 * @param clipGradNorm maximum global gradient norm, 0 for none
 * @param accumulate iterations whose gradients are summed before a step
 * @param trainable freeze policy: {@code all}, {@code backbone-only} (the paper's recipe), or
 *     {@code heads-only}
 */
public record SolverConfig(String optimizer, double baseLr, double momentum, double weightDecay, String schedule,
    List<Integer> steps, double gamma, int warmupIters, double warmupFactor, int maxIters, int imsPerBatch,
    double clipGradNorm, int accumulate, String trainable) {

  public SolverConfig {
    Check.oneOf("optimizer", Check.required("optimizer", optimizer), List.of("sgd", "adamw"));
    Check.range("base_lr", baseLr, 0, 10);
    Check.range("momentum", momentum, 0, 1);
    Check.range("weight_decay", weightDecay, 0, 1);
    Check.oneOf("schedule", Check.required("schedule", schedule), List.of("multistep", "cosine"));
    steps = steps == null ? List.of() : List.copyOf(steps);
    for (int i = 0; i < steps.size(); i++) {
      Check.range("steps[" + i + "]", steps.get(i), i == 0 ? 0 : steps.get(i - 1), Integer.MAX_VALUE);
    }
    Check.range("gamma", gamma, 0, 1);
    Check.range("warmup_iters", warmupIters, 0, Integer.MAX_VALUE);
    Check.range("warmup_factor", warmupFactor, 0, 1);
    Check.range("max_iters", maxIters, 1, Integer.MAX_VALUE);
    Check.range("ims_per_batch", imsPerBatch, 1, 4096);
    Check.range("clip_grad_norm", clipGradNorm, 0, 1e6);
    Check.range("accumulate", accumulate, 1, 1024);
    Check.oneOf("trainable", Check.required("trainable", trainable), List.of("all", "backbone-only", "heads-only"));
  }
}
