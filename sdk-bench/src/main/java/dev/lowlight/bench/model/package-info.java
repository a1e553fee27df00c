/**
 * Benchmarks of eager inference ({@link dev.lowlight.bench.model.InferBenchmark}), reported as
 * ratios measured in one run on one machine, never as timed tests.
 */
package dev.lowlight.bench.model;
