package dev.lowlight.data.transform;

import dev.lowlight.api.onnx.GraphOps;
import dev.lowlight.api.structures.RgbImage;
import java.util.List;

/**
 * torchvision's {@code GeneralizedRCNNTransform} at inference: normalise with the model's mean and
 * standard deviation, resize by the {@link ResizeRule}, and pad to a multiple of {@code
 * sizeDivisible}. Boxes found on the resized image map back to the original with {@link
 * #toOriginal}. {@link #lower} writes the same steps into an ONNX graph with the same arithmetic,
 * so the exported model sees the pixels eager inference sees.
 *
 * <pre>{@code
 * DetectionTransform t = new DetectionTransform(new ResizeRule(800, 1333), mean, std, 32);
 * DetectionTransform.Prepared p = t.prepare(image);  // p.chw() is 3 x p.paddedHeight() x p.paddedWidth()
 * }</pre>
 *
 * @param rule the resize rule
 * @param mean per-channel mean (RGB, values in [0, 1])
 * @param std per-channel standard deviation
 * @param sizeDivisible padding multiple
 */
public record DetectionTransform(ResizeRule rule, float[] mean, float[] std, int sizeDivisible) {

  public DetectionTransform {
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std values must be positive, got " + s);
      }
    }
    if (sizeDivisible < 1) {
      throw new IllegalArgumentException("size_divisible must be >= 1, got " + sizeDivisible);
    }
  }

  /** From the configuration's lists. */
  public static DetectionTransform of(int minSize, int maxSize, List<Double> mean, List<Double> std, int sizeDivisible) {
    return new DetectionTransform(new ResizeRule(minSize, maxSize), floats(mean), floats(std), sizeDivisible);
  }

  /**
   * An image ready for the network.
   *
   * @param chw normalised, resized and zero-padded pixels, {@code 3 × paddedHeight × paddedWidth}
   * @param resizedHeight height before padding
   * @param resizedWidth width before padding
   * @param paddedHeight height after padding
   * @param paddedWidth width after padding
   * @param originalHeight the input's height
   * @param originalWidth the input's width
   */
  public record Prepared(float[] chw, int resizedHeight, int resizedWidth, int paddedHeight, int paddedWidth,
      int originalHeight, int originalWidth) {}

  /** Normalises, resizes and pads one image. */
  public Prepared prepare(RgbImage image) {
    int h = image.height();
    int w = image.width();
    float[] chw = image.toChw();
    int plane = h * w;
    for (int c = 0; c < 3; c++) {
      float m = mean[c];
      float inv = std[c];
      for (int i = c * plane; i < (c + 1) * plane; i++) {
        chw[i] = (chw[i] - m) / inv;
      }
    }
    int[] size = rule.resizedSize(h, w);
    float[] resized = Bilinear.resizeChw(chw, 3, h, w, size[0], size[1]);
    int ph = roundUp(size[0]);
    int pw = roundUp(size[1]);
    return new Prepared(pad(resized, size[0], size[1], ph, pw), size[0], size[1], ph, pw, h, w);
  }

  /**
   * The graph values of a lowered transform.
   *
   * @param input the network input, {@code 1×3×paddedH×paddedW}
   * @param inputHw the image's {@code (height, width)}, 1-D int64
   * @param resizedHw the size after resizing, before padding, 1-D int64
   * @param paddedHw the size after padding, 1-D int64
   * @param limits the float {@code (w, h, w, h)} of the resized image, to clip xyxy boxes to
   */
  public record Lowered(String input, String inputHw, String resizedHw, String paddedHw, String limits) {}

  /**
   * {@link #prepare} as graph nodes on a {@code 1×3×H×W} float image in [0, 1]: normalise, resize
   * ({@link ResizeRule#lowerResizedSize}, {@link Bilinear#lower}), pad with zeros to the multiple.
   */
  public Lowered lower(GraphOps g, String image) {
    String meanC = g.scope().constant(mean.clone(), 1, 3, 1, 1);
    String stdC = g.scope().constant(std.clone(), 1, 3, 1, 1);
    String normalised = g.div(g.sub(image, meanC), stdC);
    String inputHw = g.slice(g.shape(image), 2, 4, 0);
    String resizedHw = rule.lowerResizedSize(g, inputHw);
    String resized = Bilinear.lower(g, normalised, inputHw, resizedHw);
    long div = sizeDivisible;
    String paddedHw = g.mul(g.div(g.add(resizedHw, g.l(div - 1)), g.l(div)), g.l(div));
    String pads = g.concat(0, g.longs(0, 0, 0, 0, 0, 0), g.sub(paddedHw, resizedHw));
    String input = g.scope().node("Pad").input(resized, pads).attr("mode", "constant").output();
    String limits = g.gather(g.cast(resizedHw, GraphOps.FLOAT), g.longs(1, 0, 1, 0), 0);
    return new Lowered(input, inputHw, resizedHw, paddedHw, limits);
  }

  /**
   * Graph form of {@link #toOriginal}: {@code [D, 4]} xyxy boxes from resized-image pixels to the
   * input's, multiplied by {@code input / resized} per side as the eager path does.
   */
  public static String lowerToOriginal(GraphOps g, String boxes, Lowered t) {
    String ratio = g.div(g.cast(t.inputHw(), GraphOps.FLOAT), g.cast(t.resizedHw(), GraphOps.FLOAT));
    return g.mul(boxes, g.gather(ratio, g.longs(1, 0, 1, 0), 0));
  }

  /** Maps xyxy boxes (in place) from resized-image pixels to original-image pixels. */
  public static void toOriginal(float[] boxes, Prepared p) {
    float rx = (float) p.originalWidth() / p.resizedWidth();
    float ry = (float) p.originalHeight() / p.resizedHeight();
    for (int i = 0; i + 3 < boxes.length; i += 4) {
      boxes[i] *= rx;
      boxes[i + 1] *= ry;
      boxes[i + 2] *= rx;
      boxes[i + 3] *= ry;
    }
  }

  private int roundUp(int v) {
    return (v + sizeDivisible - 1) / sizeDivisible * sizeDivisible;
  }

  private static float[] pad(float[] chw, int h, int w, int ph, int pw) {
    if (h == ph && w == pw) {
      return chw;
    }
    float[] out = new float[3 * ph * pw];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        System.arraycopy(chw, (c * h + y) * w, out, (c * ph + y) * pw, w);
      }
    }
    return out;
  }

  private static float[] floats(List<Double> values) {
    float[] f = new float[values.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = values.get(i).floatValue();
    }
    return f;
  }
}
