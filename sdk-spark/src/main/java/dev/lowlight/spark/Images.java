package dev.lowlight.spark;

import dev.lowlight.data.image.ImageReadException;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/** Reading an image file's bytes on an executor, with the single-machine commands' messages. */
final class Images {

  private Images() {}

  /**
   * The bytes of the image at {@code path}.
   *
   * @throws ImageReadException naming {@code path} when it is missing or cannot be read
   */
  static byte[] readBytes(Configuration conf, String path) {
    try {
      return DistributedFiles.read(conf, path);
    } catch (FileNotFoundException e) {
      throw new ImageReadException(path, "no such file", e);
    } catch (IOException e) {
      throw new ImageReadException(path, e.getMessage(), e);
    }
  }

  /** A failure's one-line message (exceptions without one are named by their class). */
  static String message(Exception e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
