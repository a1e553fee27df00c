/**
 * Benchmarks of eager inference ({@link dev.lowlight.model.bench.InferBenchmark}), reported as
 * ratios measured in one run on one machine, never as timed tests.
 */
package dev.lowlight.model.bench;
