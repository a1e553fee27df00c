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
 * @param steps iterations at which {@code multistep} multiplies the rate by {@code gamma}, each below
 *     {@code max_iters} (with {@code multistep}, a step at or beyond it is an error);
 *     {@code null} (the default) places them at 2/3 and 8/9 of {@code max_iters}
 *     ({@link #milestones()}), which for Detectron2's 90,000 iterations are its 60,000 and 80,000
 * @param gamma multistep factor
 * @param warmupIters iterations of linear warm-up
 * @param warmupFactor rate multiplier at iteration 0 of the warm-up
 * @param maxIters total iterations
 * @param imsPerBatch images per iteration
 * @param clipGradNorm maximum global gradient norm, 0 for none
 * @param accumulate iterations whose gradients are summed before a step
 * @param trainable freeze policy: {@code all}, {@code backbone-only} (the paper's recipe; the FPN
 *     frozen), {@code backbone-fpn} (backbone body and FPN, as torchvision and Detectron2 count the
 *     backbone) or {@code heads-only}
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
    if (steps != null) {
      steps = List.copyOf(steps);
      for (int i = 0; i < steps.size(); i++) {
        Check.range("steps[" + i + "]", steps.get(i), i == 0 ? 0 : steps.get(i - 1), Integer.MAX_VALUE);
      }
    }
    Check.range("gamma", gamma, 0, 1);
    Check.range("warmup_iters", warmupIters, 0, Integer.MAX_VALUE);
    Check.range("warmup_factor", warmupFactor, 0, 1);
    Check.range("max_iters", maxIters, 1, Integer.MAX_VALUE);
    Check.range("ims_per_batch", imsPerBatch, 1, 4096);
    Check.range("clip_grad_norm", clipGradNorm, 0, 1e6);
    Check.range("accumulate", accumulate, 1, 1024);
    Check.oneOf("trainable", Check.required("trainable", trainable),
        List.of("all", "backbone-only", "backbone-fpn", "heads-only"));
  }

  /**
   * Refuses a {@code multistep} schedule whose steps do not all fall before {@code max_iters}: a step
   * at or after the last iteration never lowers the rate (Detectron2's 60,000 and 80,000 inherited by
   * a 20,000-iteration run kept its rate constant). Checked when training starts and by {@code
   * lowlight config check}, not when a configuration is read: a model directory saved by an older
   * version with such steps still loads for inference, where the schedule means nothing.
   *
   * @throws ConfigException at {@code solver.steps}, naming the values and the scaled default
   */
  public void requireStepsBeforeMaxIters() {
    if (schedule.equals("multistep") && steps != null && !steps.isEmpty() && steps.get(steps.size() - 1) >= maxIters) {
      throw new ConfigException("solver.steps", steps + " must all be below max_iters (" + maxIters
          + "); leave steps out to place them at 2/3 and 8/9 of max_iters (" + scaledSteps(maxIters) + ")");
    }
  }

  /**
   * The multistep milestones: {@code steps} when given, else 2/3 and 8/9 of {@code max_iters},
   * rounded to the nearest iteration.
   */
  public List<Integer> milestones() {
    return steps != null ? steps : scaledSteps(maxIters);
  }

  private static List<Integer> scaledSteps(int maxIters) {
    return List.of((int) Math.round(maxIters * 2.0 / 3.0), (int) Math.round(maxIters * 8.0 / 9.0));
  }
}
