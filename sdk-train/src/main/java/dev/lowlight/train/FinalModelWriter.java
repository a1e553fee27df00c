package dev.lowlight.train;

import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * At the end of a complete run, saves the final model in {@code RUN/model} and draws the plots
 * from {@code metrics.jsonl}. A run stopped early ({@code optStopAfter}) writes neither: it is not
 * finished, and its checkpoint is what continues it.
 */
final class FinalModelWriter implements TrainingListener {

  private final MaskRcnn model;
  private final Path runDir;
  private final Path metricsFile;
  private final int stopAfter;
  private final int maxIterations;

  FinalModelWriter(MaskRcnn model, Path runDir, Path metricsFile, int stopAfter, int maxIterations) {
    this.model = model;
    this.runDir = runDir;
    this.metricsFile = metricsFile;
    this.stopAfter = stopAfter;
    this.maxIterations = maxIterations;
  }

  @Override
  public void onEnd(int start, int done) throws IOException {
    // A run resumed from a finished checkpoint rewrites them too, so that they can be recovered.
    if (stopAfter == maxIterations && done > 0 || start >= maxIterations) {
      ModelDirectory.save(model, runDir.resolve("model"), Map.of("lowlight.iterations", String.valueOf(stopAfter)));
      Plots.write(metricsFile, runDir);
    }
  }
}
