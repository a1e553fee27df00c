/**
 * The data benchmarks: low-light synthesis throughput ({@code lowlight bench synth}), and JPEG
 * decoding with OpenCV against ImageIO with the training loader's throughput ({@code lowlight bench
 * data}).
 */
package dev.lowlight.bench.data;
