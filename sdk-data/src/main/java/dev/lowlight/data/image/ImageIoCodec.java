package dev.lowlight.data.image;

import dev.lowlight.api.structures.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** The portable {@link ImageCodec} on {@code javax.imageio}: PNG, JPEG, BMP and GIF. */
public final class ImageIoCodec implements ImageCodec {

  /** The shared instance. */
  public static final ImageIoCodec INSTANCE = new ImageIoCodec();

  private static final float[] LEVELS = new float[256];

  static {
    ImageIO.setUseCache(false);
    for (int k = 0; k < 256; k++) {
      LEVELS[k] = (float) (k / 255.0);
    }
  }

  @Override
  public String name() {
    return "imageio";
  }

  @Override
  public RgbImage read(Path file) {
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImageReadException(file, "no such file", e);
    } catch (IOException e) {
      throw new ImageReadException(file, e.toString(), e);
    }
    return decode(data, file);
  }

  @Override
  public RgbImage decode(byte[] bytes, String nameForErrors) {
    return decode(bytes, null, nameForErrors);
  }

  /**
   * Decodes an encoded image held in memory, after {@link ImageLimits#checkBeforeDecode} (size
   * limit, truncation, corruption).
   *
   * @param source named in error messages
   * @throws ImageReadException when the bytes are empty, too large, truncated, corrupt or of an
   *     unsupported format
   */
  public RgbImage decode(byte[] data, Path source) {
    return decode(data, source, String.valueOf(source));
  }

  /** Decodes; errors name {@code file}, or {@code name} when the bytes have no file. */
  private static RgbImage decode(byte[] data, Path file, String name) {
    try {
      ImageLimits.checkBeforeDecode(data, name);
    } catch (ImageReadException e) {
      throw e.about(file);
    }
    BufferedImage img;
    try (InputStream in = new ByteArrayInputStream(data)) {
      img = ImageIO.read(in);
    } catch (IOException | RuntimeException e) {
      // ImageIO's decoders report truncated or corrupt data with a variety of runtime exceptions.
      throw error(file, name, "corrupt or truncated image data (" + e.getMessage() + ")", e);
    }
    if (img == null) {
      throw error(file, name, "not an image in a supported format (PNG, JPEG, BMP, GIF)", null);
    }
    if (img.getWidth() < 1 || img.getHeight() < 1) {
      throw error(file, name, "zero-size image " + img.getWidth() + "x" + img.getHeight(), null);
    }
    return toRgb(img);
  }

  static ImageReadException error(Path file, String name, String problem, Throwable cause) {
    return file != null ? new ImageReadException(file, problem, cause) : new ImageReadException(name, problem, cause);
  }

  /** Converts a decoded image to an {@link RgbImage}. */
  public static RgbImage toRgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    float[] px = new float[w * h * 3];
    int type = img.getType();
    if (type == BufferedImage.TYPE_3BYTE_BGR) {
      byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < w * h; i++) {
        px[i * 3] = LEVELS[data[i * 3 + 2] & 0xFF];
        px[i * 3 + 1] = LEVELS[data[i * 3 + 1] & 0xFF];
        px[i * 3 + 2] = LEVELS[data[i * 3] & 0xFF];
      }
    } else if (type == BufferedImage.TYPE_BYTE_GRAY) {
      // getRGB would treat grey as linear and brighten it; the samples are already sRGB-coded.
      Raster r = img.getRaster();
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        r.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          float v = LEVELS[row[x] & 0xFF];
          int o = (y * w + x) * 3;
          px[o] = v;
          px[o + 1] = v;
          px[o + 2] = v;
        }
      }
    } else {
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        img.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          int argb = row[x];
          int o = (y * w + x) * 3;
          px[o] = LEVELS[(argb >> 16) & 0xFF];
          px[o + 1] = LEVELS[(argb >> 8) & 0xFF];
          px[o + 2] = LEVELS[argb & 0xFF];
        }
      }
    }
    return new RgbImage(w, h, px);
  }

  /** Converts an {@link RgbImage} to an 8-bit BGR image, clamping and rounding. */
  public static BufferedImage toBufferedImage(RgbImage image) {
    int w = image.width();
    int h = image.height();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    float[] px = image.pixels();
    for (int i = 0; i < w * h; i++) {
      data[i * 3] = (byte) to8(px[i * 3 + 2]);
      data[i * 3 + 1] = (byte) to8(px[i * 3 + 1]);
      data[i * 3 + 2] = (byte) to8(px[i * 3]);
    }
    return img;
  }

  private static int to8(float v) {
    if (!(v > 0)) {
      return 0;
    }
    if (v >= 1) {
      return 255;
    }
    return (int) (v * 255f + 0.5f);
  }

  @Override
  public void encode(RgbImage image, ImageFormat format, float jpegQuality, OutputStream out) throws IOException {
    BufferedImage img = toBufferedImage(image);
    String fmt = format == ImageFormat.PNG ? "png" : "jpeg";
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(fmt);
    if (!writers.hasNext()) {
      throw new IOException("no ImageIO writer for " + fmt);
    }
    ImageWriter writer = writers.next();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (format == ImageFormat.JPEG) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(jpegQuality);
      }
      writer.write(null, new IIOImage(img, null, null), param);
    } finally {
      writer.dispose();
    }
  }
}
