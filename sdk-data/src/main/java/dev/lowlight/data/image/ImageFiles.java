package dev.lowlight.data.image;

import dev.lowlight.api.io.AtomicFiles;
import dev.lowlight.api.structures.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Reads and writes image files through an {@link ImageCodec} ({@link ImageIoCodec} by default).
 * Writes are atomic: the file is encoded into a temporary file in the same folder, flushed and
 * renamed over the target, so a killed process never leaves a half-written image behind.
 *
 * <pre>{@code
 * RgbImage img = ImageFiles.read(Path.of("in.jpg"));
 * ImageFiles.write(img, Path.of("out.png"));
 * ImageFiles.write(img, Path.of("out.jpg"), 0.95f);
 * }</pre>
 */
public final class ImageFiles {

  /** JPEG quality used when none is given. */
  public static final float DEFAULT_JPEG_QUALITY = 0.95f;

  private static final ImageCodec CODEC = ImageIoCodec.INSTANCE;

  private ImageFiles() {}

  /** The codec in use. */
  public static ImageCodec codec() {
    return CODEC;
  }

  /**
   * Decodes {@code file}.
   *
   * @throws ImageReadException naming the file when it is missing, empty, corrupt or unsupported
   */
  public static RgbImage read(Path file) {
    return CODEC.read(file);
  }

  /**
   * Decodes an image file's bytes read from anywhere, with the same codec and so the same pixels
   * as {@link #read(Path)} on that file.
   *
   * @param nameForErrors what the bytes are (a path or URI), named in the error message
   * @throws ImageReadException naming {@code nameForErrors} when the bytes are not a readable image
   */
  public static RgbImage decode(byte[] bytes, String nameForErrors) {
    return CODEC.decode(bytes, nameForErrors);
  }

  /**
   * The bytes {@link #write(RgbImage, Path)} writes for a file called {@code fileName}: the format
   * named by its extension, JPEG at the default quality.
   */
  public static byte[] encode(RgbImage image, String fileName) {
    ImageFormat format = ImageFormat.of(Path.of(fileName));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      CODEC.encode(image, format, DEFAULT_JPEG_QUALITY, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode image " + fileName + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** Whether {@code file} exists and decodes completely (used to resume interrupted runs). */
  public static boolean isValid(Path file) {
    try {
      read(file);
      return true;
    } catch (ImageReadException e) {
      return false;
    }
  }

  /** Writes {@code image} in the format named by the extension, JPEG at the default quality. */
  public static void write(RgbImage image, Path file) {
    write(image, file, DEFAULT_JPEG_QUALITY);
  }

  /**
   * Writes {@code image} atomically in the format named by the extension ({@code .png} lossless,
   * {@code .jpg}/{@code .jpeg} at {@code jpegQuality} in {@code [0, 1]}), creating parent folders.
   *
   * @throws UncheckedIOException naming the file when it cannot be written
   */
  public static void write(RgbImage image, Path file, float jpegQuality) {
    if (!(jpegQuality >= 0 && jpegQuality <= 1)) {
      throw new IllegalArgumentException("jpegQuality must be in [0, 1], got " + jpegQuality);
    }
    ImageFormat format = ImageFormat.of(file);
    try {
      AtomicFiles.write(file, out -> CODEC.encode(image, format, jpegQuality, out));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write image " + file + ": " + e.getMessage(), e);
    }
  }
}
