/**
 * Benchmarks of the denoising blocks, run by {@code lowlight bench denoise} (not tests: their
 * numbers depend on the machine and are reported as measured in one run).
 */
package dev.lowlight.bench.denoise;
