package dev.lowlight.data.image;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats the SDK writes. */
public enum ImageFormat {
  /** Lossless PNG. */
  PNG("png"),
  /** Lossy JPEG. */
  JPEG("jpg");

  private final String extension;

  ImageFormat(String extension) {
    this.extension = extension;
  }

  /** The usual file extension, without the dot. */
  public String extension() {
    return extension;
  }

  /** The format named by the file's extension ({@code .png}, {@code .jpg}, {@code .jpeg}). */
  public static ImageFormat of(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".png")) {
      return PNG;
    }
    if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
      return JPEG;
    }
    throw new IllegalArgumentException("cannot tell the image format of " + file
        + ": the name must end in .png, .jpg or .jpeg");
  }
}
