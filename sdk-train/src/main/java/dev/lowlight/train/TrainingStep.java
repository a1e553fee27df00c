package dev.lowlight.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lowlight.api.config.SolverConfig;
import dev.lowlight.api.nn.Scalars;
import dev.lowlight.api.nn.StrayArrays;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.data.loading.BatchSource;
import dev.lowlight.model.Losses;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Seeds;
import dev.lowlight.model.StageClock;
import dev.lowlight.train.optim.GradientClipping;
import dev.lowlight.train.optim.LrSchedule;
import dev.lowlight.train.optim.Optimizer;
import dev.lowlight.train.optim.TrainableParameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One optimizer step: {@code solver.accumulate} micro-batches forward and backward (split over the
 * replicas when training data-parallel), gradient clipping, the optimizer's update. Everything
 * random in iteration {@code i} is seeded from {@code (runSeed, i)}, so a resumed run repeats the
 * step exactly.
 */
final class TrainingStep {

  private final MaskRcnn model;
  private final BatchSource data;
  private final SolverConfig solver;
  private final LrSchedule schedule;
  private final Optimizer optimizer;
  private final List<TrainableParameter> trainable;
  private final NDManager manager;
  private final DataParallel parallel;
  private final long runSeed;

  /** @param parallel the replicas, or {@code null} to train on the model's device alone */
  TrainingStep(MaskRcnn model, BatchSource data, SolverConfig solver, LrSchedule schedule, Optimizer optimizer,
      List<TrainableParameter> trainable, NDManager manager, DataParallel parallel, long runSeed) {
    this.model = model;
    this.data = data;
    this.solver = solver;
    this.schedule = schedule;
    this.optimizer = optimizer;
    this.trainable = trainable;
    this.manager = manager;
    this.parallel = parallel;
    this.runSeed = runSeed;
  }

  /**
   * Runs iteration {@code it} (0-based).
   *
   * @throws NonFiniteLossException when a loss term or the gradient norm is not finite
   */
  StepResult step(int it) {
    Engine.getInstance().setRandomSeed((int) Seeds.mix(runSeed, it));
    double lr = schedule.lr(it);
    int replicas = parallel == null ? 1 : parallel.size();
    Map<String, Double> sums = new LinkedHashMap<>();
    double gradNorm;
    // what the step leaves in the parameters' manager (results of operations that start from a
    // parameter) is closed with the step, or resident memory grows with every iteration
    try (StrayArrays strays = StrayArrays.watch(manager);
        StrayGuards replicaStrays = new StrayGuards(parallel == null ? List.of() : parallel.watchReplicas())) {
      for (int micro = 0; micro < solver.accumulate(); micro++) {
        Batch batch = data.next();
        long microIndex = (long) it * solver.accumulate() + micro;
        if (parallel != null) {
          // shard k of micro-batch m draws the samples that micro-batch m·K + k would on one device
          List<Map<String, Double>> shards = parallel.forwardBackward(batch,
              k -> Seeds.mix(runSeed, microIndex * replicas + k), 1f / solver.accumulate());
          for (Map<String, Double> values : shards) {
            addLosses(it, values, (double) solver.accumulate() * replicas, sums);
          }
          continue;
        }
        try (NDManager step = manager.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          Losses losses = model.losses(step, batch, Seeds.mix(runSeed, microIndex), StageClock.NONE);
          addLosses(it, losses.values(), solver.accumulate(), sums);
          losses.backward(gc, t -> solver.accumulate() == 1 ? t : Scalars.div(t, (float) solver.accumulate()), null);
        }
      }
      if (parallel != null) {
        parallel.reduceGradients();
      }
      gradNorm = solver.clipGradNorm() > 0
          ? GradientClipping.clip(trainable, solver.clipGradNorm(), manager)
          : GradientClipping.globalNorm(trainable, manager);
      if (!Double.isFinite(gradNorm)) {
        String culprit = GradientClipping.firstNonFinite(trainable, manager);
        throw new NonFiniteLossException(it, culprit == null ? "gradient_norm" : "gradient_norm (first in " + culprit
            + ")", gradNorm);
      }
      optimizer.step(trainable, lr);
      GradientClipping.zero(trainable, manager);
      if (parallel != null) {
        parallel.broadcast();
      }
    }
    return new StepResult(it + 1, lr, sums, gradNorm);
  }

  /** Adds {@code values / divisor} to {@code sums}, stopping the run at a non-finite term. */
  private static void addLosses(int iteration, Map<String, Double> values, double divisor, Map<String, Double> sums) {
    for (Map.Entry<String, Double> e : values.entrySet()) {
      if (!Double.isFinite(e.getValue())) {
        throw new NonFiniteLossException(iteration, e.getKey(), e.getValue());
      }
      sums.merge(e.getKey(), e.getValue() / divisor, Double::sum);
    }
  }

  /** Several stray-array guards closed together. */
  private record StrayGuards(List<StrayArrays> guards) implements AutoCloseable {
    @Override
    public void close() {
      guards.forEach(StrayArrays::close);
    }
  }
}
