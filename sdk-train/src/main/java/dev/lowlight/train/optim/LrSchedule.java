package dev.lowlight.train.optim;

import dev.lowlight.api.config.SolverConfig;
import java.util.List;

/**
 * The learning rate as a pure function of the iteration (so the schedule's position is the
 * iteration a checkpoint records): linear warm-up as torchvision's reference {@code
 * WarmupMultiStepLR} ({@code factor = warmupFactor·(1−α) + α}, {@code α = it / warmupIters}), times
 * either {@code gamma^(number of steps <= it)} ({@code multistep}) or {@code ½(1 + cos(π·it /
 * maxIters))} ({@code cosine}, detectron2's {@code WarmupCosineLR}).
 *
 * <pre>{@code
 * LrSchedule s = LrSchedule.fromConfig(config.solver());
 * double lr = s.lr(iteration);
 * }</pre>
 *
 * @param baseLr rate after warm-up
 * @param kind {@code multistep} or {@code cosine}
 * @param steps multistep milestones, ascending
 * @param gamma multistep factor
 * @param warmupIters warm-up length
 * @param warmupFactor factor at iteration 0
 * @param maxIters length of the run (cosine period)
 */
public record LrSchedule(double baseLr, String kind, List<Integer> steps, double gamma, int warmupIters,
    double warmupFactor, int maxIters) {

  public LrSchedule {
    if (!kind.equals("multistep") && !kind.equals("cosine")) {
      throw new IllegalArgumentException("schedule must be multistep or cosine, got '" + kind + "'");
    }
    steps = List.copyOf(steps);
  }

  /** The schedule of {@code solver}. */
  public static LrSchedule fromConfig(SolverConfig solver) {
    return new LrSchedule(solver.baseLr(), solver.schedule(), solver.milestones(), solver.gamma(), solver.warmupIters(),
        solver.warmupFactor(), solver.maxIters());
  }

  /** The rate of iteration {@code it} (0-based). */
  public double lr(int it) {
    double warm = 1;
    if (it < warmupIters) {
      double alpha = (double) it / warmupIters;
      warm = warmupFactor * (1 - alpha) + alpha;
    }
    double decay;
    if (kind.equals("multistep")) {
      int passed = 0;
      for (int s : steps) {
        if (s <= it) {
          passed++;
        }
      }
      decay = Math.pow(gamma, passed);
    } else {
      decay = 0.5 * (1 + Math.cos(Math.PI * Math.min(it, maxIters) / maxIters));
    }
    return baseLr * warm * decay;
  }
}
