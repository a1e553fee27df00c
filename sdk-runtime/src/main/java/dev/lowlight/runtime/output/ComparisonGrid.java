package dev.lowlight.runtime.output;

import dev.lowlight.api.io.AtomicFiles;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A picture that compares predictions side by side: one row per image, one column per variant
 * (e.g. clean | dark | before | after), each panel enlarged to a readable size with its masks
 * tinted, boxes outlined and labels ({@code class score}) drawn at a fixed size, a title over each
 * column and a caption line under the grid. Detections below {@code minScore} are not drawn.
 *
 * <pre>{@code
 * ComparisonGrid grid = new ComparisonGrid(List.of("clean", "dark", "before", "after"), 320, 0.5f);
 * grid.addRow(List.of(Panel.of(clean, groundTruth), Panel.of(dark, null), Panel.of(dark, before), Panel.of(dark, after)));
 * grid.write(Path.of("overlay.png"), "segm AP50 0.31 -> 0.62");
 * }</pre>
 */
public final class ComparisonGrid {

  private static final int GAP = 8;
  private static final int TITLE = 28;
  private static final int CAPTION = 26;
  private static final Color CANVAS = new Color(40, 40, 40);

  /**
   * One panel: an image and, optionally, what to draw over it.
   *
   * @param image the image
   * @param detections predictions to draw (tinted masks, boxes, labels with scores), or null
   * @param classNames names by label for the detections, or null for each instance's own name
   */
  public record Panel(BufferedImage image, Detections detections, List<String> classNames) {

    /** A panel of {@code image} with {@code detections} (may be null). */
    public static Panel of(BufferedImage image, Detections detections) {
      return new Panel(image, detections, null);
    }
  }

  private final List<String> titles;
  private final int panelWidth;
  private final float minScore;
  private final List<List<Panel>> rows = new ArrayList<>();

  /**
   * @param titles one per column
   * @param panelWidth width each panel is drawn at (images are scaled to it, aspect kept)
   * @param minScore detections below this score are left out
   */
  public ComparisonGrid(List<String> titles, int panelWidth, float minScore) {
    if (titles.isEmpty() || panelWidth < 32) {
      throw new IllegalArgumentException("need at least one column and panels at least 32 px wide, got "
          + titles.size() + " columns of " + panelWidth + " px");
    }
    this.titles = List.copyOf(titles);
    this.panelWidth = panelWidth;
    this.minScore = minScore;
  }

  /** Adds a row with one panel per column. */
  public ComparisonGrid addRow(List<Panel> panels) {
    if (panels.size() != titles.size()) {
      throw new IllegalArgumentException("a row needs " + titles.size() + " panels, got " + panels.size());
    }
    rows.add(List.copyOf(panels));
    return this;
  }

  /** The grid as an image, with {@code caption} (may be empty) under it. */
  public BufferedImage render(String caption) {
    if (rows.isEmpty()) {
      throw new IllegalStateException("add at least one row");
    }
    int[] heights = new int[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      for (Panel p : rows.get(r)) {
        heights[r] = Math.max(heights[r], scaledHeight(p.image()));
      }
    }
    int w = titles.size() * panelWidth + (titles.size() + 1) * GAP;
    int h = TITLE + GAP + CAPTION;
    for (int hr : heights) {
      h += hr + GAP;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setColor(CANVAS);
      g.fillRect(0, 0, w, h);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.setColor(Color.WHITE);
      for (int c = 0; c < titles.size(); c++) {
        centre(g, titles.get(c), GAP + c * (panelWidth + GAP), panelWidth, TITLE - 8);
      }
      int top = TITLE + GAP;
      for (int r = 0; r < rows.size(); r++) {
        for (int c = 0; c < titles.size(); c++) {
          BufferedImage panel = panel(rows.get(r).get(c));
          g.drawImage(panel, GAP + c * (panelWidth + GAP), top, null);
        }
        top += heights[r] + GAP;
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
      g.setColor(new Color(220, 220, 220));
      g.drawString(caption == null ? "" : caption, GAP, h - 8);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Renders the grid and writes it as PNG (atomically). */
  public void write(Path png, String caption) {
    BufferedImage image = render(caption);
    try {
      AtomicFiles.write(png, os -> {
        if (!ImageIO.write(image, "png", os)) {
          throw new IOException("no PNG writer available");
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
    }
  }

  private int scaledHeight(BufferedImage image) {
    return Math.max(1, Math.round((float) image.getHeight() * panelWidth / image.getWidth()));
  }

  /** The image enlarged to the panel's width, masks tinted, then boxes and labels drawn at that size. */
  private BufferedImage panel(Panel p) {
    BufferedImage base = p.image();
    Detections kept = p.detections() == null ? null : above(p.detections());
    if (kept != null) {
      // tinted at the image's own resolution, where the masks are exact
      base = Overlay.renderMasks(base, kept);
    }
    int w = panelWidth;
    int h = scaledHeight(base);
    float s = (float) w / base.getWidth();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.drawImage(base, 0, 0, w, h, null);
      if (kept == null) {
        return out;
      }
      g.setStroke(new BasicStroke(2f));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
      FontMetrics fm = g.getFontMetrics();
      for (Instance in : kept.instances()) {
        Color c = Overlay.colour(in.label());
        BoxXyxy b = in.box();
        int x1 = Math.round(b.x1() * s);
        int y1 = Math.round(b.y1() * s);
        g.setColor(c);
        g.drawRect(x1, y1, Math.max(1, Math.round(b.width() * s)), Math.max(1, Math.round(b.height() * s)));
        String name = p.classNames() != null && in.label() >= 0 && in.label() < p.classNames().size()
            ? p.classNames().get(in.label()) : in.className();
        String text = Float.isNaN(in.score()) ? name : name + String.format(Locale.ROOT, " %.2f", in.score());
        int tw = fm.stringWidth(text) + 6;
        int th = fm.getHeight();
        int tx = Math.min(Math.max(0, x1), Math.max(0, w - tw));
        int ty = y1 - th >= 0 ? y1 - th : Math.min(y1, h - th);
        g.fillRect(tx, ty, tw, th);
        g.setColor(Overlay.luminance(c) > 0.55 ? Color.BLACK : Color.WHITE);
        g.drawString(text, tx + 3, ty + fm.getAscent());
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  private Detections above(Detections d) {
    List<Instance> kept = new ArrayList<>();
    for (Instance in : d.instances()) {
      if (Float.isNaN(in.score()) || in.score() >= minScore) {
        kept.add(in);
      }
    }
    return new Detections(d.imageHeight(), d.imageWidth(), kept);
  }

  private static void centre(Graphics2D g, String text, int left, int width, int baseline) {
    FontMetrics fm = g.getFontMetrics();
    g.drawString(text, left + Math.max(0, (width - fm.stringWidth(text)) / 2), baseline);
  }
}
