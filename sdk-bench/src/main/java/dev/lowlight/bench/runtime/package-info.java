/** Latency benchmarks of exported models on ONNX Runtime ({@code lowlight bench infer}). */
package dev.lowlight.bench.runtime;
