package dev.lowlight.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.SolverConfig;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their gradients. Implementations keep their state as named
 * arrays ({@code slot.parameterName}) in a manager they own, so {@link #state()} and {@link
 * #loadState} round-trip exactly; every update is element-wise, hence deterministic on CPU.
 *
 * <pre>{@code
 * Optimizer opt = Optimizer.fromConfig(config.solver(), manager);
 * opt.step(trainable, schedule.lr(iteration));
 * }</pre>
 */
public interface Optimizer extends AutoCloseable {

  /**
   * One update of every parameter that has a gradient (parameters without one, because they took
   * no part in the forward, are skipped as PyTorch skips {@code grad is None}).
   *
   * @param parameters what to update
   * @param lr the learning rate of this step
   */
  void step(List<TrainableParameter> parameters, double lr);

  /** Copies of the state arrays, by {@code slot.parameterName}, plus scalars as 1-element arrays. */
  Map<String, float[]> state();

  /** Shapes matching {@link #state()}. */
  Map<String, long[]> stateShapes();

  /** Restores what {@link #state()} returned (of the same parameters). */
  void loadState(Map<String, float[]> state, List<TrainableParameter> parameters);

  /** The optimizer's name in the configuration. */
  String name();

  /** Frees the state arrays. */
  @Override
  void close();

  /** The optimizer the configuration names ({@code sgd} or {@code adamw}). */
  static Optimizer fromConfig(SolverConfig solver, NDManager manager) {
    return switch (solver.optimizer()) {
      case "sgd" -> new Sgd(manager, solver.momentum(), solver.weightDecay());
      case "adamw" -> new AdamW(manager, 0.9, 0.999, 1e-8, solver.weightDecay());
      default -> throw new IllegalArgumentException("unknown optimizer '" + solver.optimizer() + "'; valid: sgd, adamw");
    };
  }

  /**
   * The gradient of {@code array} (a new handle attached to the array's manager), or {@code null}
   * when it has none: it does not require one, or took no part in the backward pass.
   */
  static NDArray gradientOrNull(NDArray array) {
    if (!array.hasGradient()) {
      return null;
    }
    try {
      return array.getGradient();
    } catch (IllegalStateException e) {
      return null;
    }
  }
}
