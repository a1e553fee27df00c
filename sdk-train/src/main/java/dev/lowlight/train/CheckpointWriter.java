package dev.lowlight.train;

import dev.lowlight.data.loading.BatchSource;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.weights.DType;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.StateDictExporter;
import dev.lowlight.model.weights.TensorData;
import dev.lowlight.train.checkpoint.CheckpointState;
import dev.lowlight.train.checkpoint.Checkpoints;
import dev.lowlight.train.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a checkpoint after every validation, every {@code every} iterations and after the last
 * one, and marks the best. A checkpoint holds everything a resumed run needs to continue exactly:
 * weights, optimizer state, data position, seed, best AP and the metric lines written so far.
 */
final class CheckpointWriter implements TrainingListener {

  /** What a checkpoint needs besides the model: the optimizer and where the run stands. */
  record Sources(MaskRcnn model, Optimizer optimizer, BatchSource data, MetricsLog metrics, RunSummary summary,
      List<String> denoiserWeights) {}

  private final Checkpoints checkpoints;
  private final Sources sources;
  private final long runSeed;
  private final int every;
  private final int stopAfter;
  private Path last;

  /** @param resumedFrom the checkpoint the run resumed from, or {@code null} */
  CheckpointWriter(Checkpoints checkpoints, Sources sources, long runSeed, int every, int stopAfter,
      Path resumedFrom) {
    this.checkpoints = checkpoints;
    this.sources = sources;
    this.runSeed = runSeed;
    this.every = every;
    this.stopAfter = stopAfter;
    this.last = resumedFrom;
  }

  @Override
  public void onIterationEnd(StepResult step, boolean validated) throws IOException {
    int completed = step.iteration();
    if (!(validated || completed == stopAfter || completed % every == 0)) {
      return;
    }
    sources.metrics().flush();
    RunSummary summary = sources.summary();
    CheckpointState state = new CheckpointState(completed, sources.data().position(), runSeed,
        sources.optimizer().name(), step.lr(), summary.bestAp(), summary.bestIteration(), sources.metrics().lines(),
        sources.denoiserWeights());
    last = checkpoints.write(state, StateDictExporter.export(sources.model().parameters(), ""),
        optimizerState(sources.optimizer()));
    if (validated && summary.bestIteration() == completed) {
      checkpoints.markBest(last, summary.bestAp(), completed);
    }
  }

  /** The last checkpoint written, or the one resumed from, or {@code null}. */
  Path last() {
    return last;
  }

  private static StateDict optimizerState(Optimizer optimizer) {
    Map<String, TensorData> t = new LinkedHashMap<>();
    Map<String, long[]> shapes = optimizer.stateShapes();
    optimizer.state().forEach((k, v) -> t.put(k, TensorData.ofFloats(DType.FLOAT32, shapes.get(k), v)));
    return new StateDict(t, Map.of("lowlight.optimizer", optimizer.name()));
  }
}
