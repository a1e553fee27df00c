package dev.lowlight.data.image;

import dev.lowlight.api.structures.RgbImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Decodes and encodes image files as {@link RgbImage}s (sRGB, 8-bit files, floats {@code k/255}).
 * {@link ImageIoCodec} is the portable implementation; a native one (OpenCV) can be added behind
 * the same interface. Implementations are thread-safe.
 */
public interface ImageCodec {

  /** A short name for logs ({@code imageio}, {@code opencv}). */
  String name();

  /**
   * Decodes {@code file}; grey and palette images become RGB and alpha is dropped.
   *
   * @throws ImageReadException naming the file when it is missing, empty, corrupt or unsupported
   */
  RgbImage read(Path file);

  /**
   * Decodes an encoded image held in memory (the bytes of a file read from anywhere: a distributed
   * file system, an object store, an archive), exactly as {@link #read(Path)} decodes the same
   * bytes from a file.
   *
   * @param bytes the encoded image
   * @param nameForErrors what the bytes are, named in the error message (a path or URI)
   * @throws ImageReadException naming {@code nameForErrors} when the bytes are empty, corrupt or
   *     of an unsupported format
   */
  RgbImage decode(byte[] bytes, String nameForErrors);

  /**
   * Encodes {@code image} into {@code out} in {@code format}; values are clamped to {@code [0, 1]}
   * and rounded to 8 bits.
   *
   * @param jpegQuality JPEG quality in {@code [0, 1]}, ignored for PNG
   */
  void encode(RgbImage image, ImageFormat format, float jpegQuality, java.io.OutputStream out) throws IOException;
}
