package dev.lowlight.model.export;

import java.nio.file.Path;

/**
 * What {@link OnnxExporter#export} wrote.
 *
 * @param file the model file
 * @param bytes its size
 * @param nodes nodes in the graph
 * @param initializers initializers (weights and constants) in the graph
 * @param foldedBatchNorms batch norms folded into convolutions
 * @param millis time taken to build and write the model
 */
public record ExportResult(Path file, long bytes, int nodes, int initializers, int foldedBatchNorms, long millis) {}
