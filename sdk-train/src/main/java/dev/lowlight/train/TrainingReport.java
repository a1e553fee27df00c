package dev.lowlight.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a run reached.
 *
 * @param finalMetrics the last iteration's loss terms and, when validated, {@code bbox.AP},
 *     {@code segm.AP} etc. of the last validation
 * @param bestAp the best validation segm AP, or -1 without validation
 * @param iterations iterations completed (in total, resumed ones included)
 * @param seconds wall time of this process's training
 * @param runDirectory the run directory
 * @param lastCheckpoint the last checkpoint written, or {@code null}
 */
public record TrainingReport(Map<String, Double> finalMetrics, double bestAp, int iterations, double seconds,
    Path runDirectory, Path lastCheckpoint) {}
