/**
 * Image files: {@link dev.lowlight.data.image.ImageFiles} reads and atomically writes PNG and JPEG
 * through an {@link dev.lowlight.data.image.ImageCodec} (ImageIO now, OpenCV later), and {@link
 * dev.lowlight.data.image.PairGrid} draws clean/dark pairs side by side.
 */
package dev.lowlight.data.image;
