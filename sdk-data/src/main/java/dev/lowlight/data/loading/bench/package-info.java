/**
 * The data-loading benchmark behind {@code lowlight bench data}: JPEG decoding with OpenCV against
 * ImageIO, and the training loader's throughput.
 */
package dev.lowlight.data.loading.bench;
