package dev.lowlight.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashSet;
import java.util.Set;

/**
 * Closes the arrays that a piece of work left attached directly to a long-lived manager.
 *
 * <p>Why: DJL attaches the result of an operation to the manager of its first operand, so an
 * operation that starts from a parameter ({@code weight.reshape(...)}, {@code var.add(eps)})
 * leaves its result in the manager that holds the parameters, which lives as long as the model.
 * Around a training step that grew the resident memory of the demo's small model by about 90 MB
 * per iteration. The SDK's own layers avoid it; this guard also catches what a third-party plugin
 * leaves behind. Only arrays attached directly to the watched manager after {@link #watch} are
 * closed; sub-managers and what existed before are left alone.
 *
 * <p>Not for a manager that other threads use at the same time: their arrays would look stray.
 * The trainer uses it around each (single-threaded) step.
 *
 * <pre>{@code
 * try (StrayArrays strays = StrayArrays.watch(parameterManager)) {
 *   ... forward, backward, optimizer step ...
 * }
 * }</pre>
 */
public final class StrayArrays implements AutoCloseable {

  private final NDManager manager;
  private final Set<String> before = new HashSet<>();
  private int closed;

  private StrayArrays(NDManager manager) {
    this.manager = manager;
    for (NDArray a : manager.getManagedArrays()) {
      if (a.getManager() == manager) {
        before.add(a.getUid());
      }
    }
  }

  /** Starts watching {@code manager}. */
  public static StrayArrays watch(NDManager manager) {
    return new StrayArrays(manager);
  }

  /** How many arrays {@link #close()} closed (0 before it ran). */
  public int closed() {
    return closed;
  }

  @Override
  public void close() {
    for (NDArray a : manager.getManagedArrays()) {
      if (a.getManager() == manager && !before.contains(a.getUid()) && !a.isReleased()) {
        a.close();
        closed++;
      }
    }
  }
}
