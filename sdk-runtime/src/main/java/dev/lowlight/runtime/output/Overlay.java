package dev.lowlight.runtime.output;

import dev.lowlight.api.io.AtomicFiles;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.runtime.BitMask;
import dev.lowlight.runtime.BoxXyxy;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.Instance;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws detections over an image with Java2D: each instance's mask tinted in a colour of its class
 * (semi-transparent), its box outlined in the same colour and labelled with the class name and
 * score; written as PNG.
 *
 * <pre>{@code
 * Detections d = predictor.predict(image);
 * Overlay.write(image, d, predictor.info().classNames(), Path.of("out/overlay.png"));
 * }</pre>
 */
public final class Overlay {

  /** Opacity of the mask tint. */
  public static final float MASK_ALPHA = 0.45f;

  private Overlay() {}

  /**
   * Draws {@code detections} over {@code image} and writes a PNG (atomically, creating folders).
   *
   * @param classNames names by label; {@code null} uses each instance's own class name
   * @throws UncheckedIOException naming the file when it cannot be written
   */
  public static void write(BufferedImage image, Detections detections, List<String> classNames, Path png) {
    BufferedImage out = render(image, detections, classNames);
    try {
      AtomicFiles.write(png, os -> {
        if (!ImageIO.write(out, "png", os)) {
          throw new IOException("no PNG writer available");
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write overlay " + png + ": " + e.getMessage(), e);
    }
  }

  /** As {@link #write(BufferedImage, Detections, List, Path)} for an {@link RgbImage}. */
  public static void write(RgbImage image, Detections detections, List<String> classNames, Path png) {
    write(toBufferedImage(image), detections, classNames, png);
  }

  /**
   * The overlay as a new RGB image (the input is not changed).
   *
   * @throws IllegalArgumentException when the detections were made on an image of another size
   */
  public static BufferedImage render(BufferedImage image, Detections detections, List<String> classNames) {
    int w = image.getWidth();
    int h = image.getHeight();
    if (detections.imageWidth() != w || detections.imageHeight() != h) {
      throw new IllegalArgumentException("detections are for a " + detections.imageWidth() + "x"
          + detections.imageHeight() + " image, the image is " + w + "x" + h);
    }
    BufferedImage out = renderMasks(image, detections);
    List<Instance> instances = detections.instances();
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      float stroke = Math.max(1f, Math.min(w, h) / 300f);
      g.setStroke(new BasicStroke(stroke));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.min(w, h) / 40)));
      FontMetrics fm = g.getFontMetrics();
      for (Instance in : instances) {
        Color c = colour(in.label());
        BoxXyxy b = in.box();
        int x1 = Math.round(b.x1());
        int y1 = Math.round(b.y1());
        g.setColor(c);
        g.drawRect(x1, y1, Math.max(1, Math.round(b.width())), Math.max(1, Math.round(b.height())));
        String name = classNames != null && in.label() >= 0 && in.label() < classNames.size()
            ? classNames.get(in.label()) : in.className();
        String text = name + " " + String.format(Locale.ROOT, "%.2f", in.score());
        int tw = fm.stringWidth(text) + 4;
        int th = fm.getHeight();
        int ty = y1 - th >= 0 ? y1 - th : y1;
        g.fillRect(x1, ty, tw, th);
        g.setColor(luminance(c) > 0.55 ? Color.BLACK : Color.WHITE);
        g.drawString(text, x1 + 2, ty + fm.getAscent());
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * A copy of {@code image} with each instance's pasted mask tinted in its class's colour, most
   * confident last so that its tint is on top; no boxes or labels.
   */
  public static BufferedImage renderMasks(BufferedImage image, Detections detections) {
    int w = image.getWidth();
    int h = image.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.drawImage(image, 0, 0, null);
    } finally {
      g.dispose();
    }
    int[] row = new int[w];
    List<Instance> instances = detections.instances();
    for (int k = instances.size() - 1; k >= 0; k--) {
      Instance in = instances.get(k);
      BitMask m = in.fullMask();
      int c = colour(in.label()).getRGB();
      for (int y = 0; y < h; y++) {
        out.getRGB(0, y, w, 1, row, 0, w);
        boolean changed = false;
        for (int x = 0; x < w; x++) {
          if (m.get(y, x)) {
            row[x] = blend(row[x], c, MASK_ALPHA);
            changed = true;
          }
        }
        if (changed) {
          out.setRGB(0, y, w, 1, row, 0, w);
        }
      }
    }
    return out;
  }

  /** A distinct, stable colour for class {@code label} (hues spaced by the golden ratio). */
  public static Color colour(int label) {
    float hue = (float) ((label * 0.618033988749895) % 1.0);
    return Color.getHSBColor(hue, 0.85f, 1.0f);
  }

  /** An {@link RgbImage} as an 8-bit RGB {@link BufferedImage} (values clamped and rounded). */
  public static BufferedImage toBufferedImage(RgbImage image) {
    int w = image.width();
    int h = image.height();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[w];
    float[] p = image.pixels();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        row[x] = (to8(p[i]) << 16) | (to8(p[i + 1]) << 8) | to8(p[i + 2]);
      }
      out.setRGB(0, y, w, 1, row, 0, w);
    }
    return out;
  }

  private static int to8(float v) {
    return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
  }

  private static int blend(int under, int over, float alpha) {
    int r = Math.round(((under >> 16) & 0xff) * (1 - alpha) + ((over >> 16) & 0xff) * alpha);
    int g = Math.round(((under >> 8) & 0xff) * (1 - alpha) + ((over >> 8) & 0xff) * alpha);
    int b = Math.round((under & 0xff) * (1 - alpha) + (over & 0xff) * alpha);
    return (r << 16) | (g << 8) | b;
  }

  static double luminance(Color c) {
    return (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255.0;
  }
}
