package dev.lowlight.data.loading;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Rle;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.image.ImageCodec;
import dev.lowlight.data.image.ImageReadException;
import dev.lowlight.data.image.OpenCvCodec;
import dev.lowlight.data.transform.DetectionTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One image of one epoch made ready for training: decode, darken (when a synthesizer is given),
 * flip, resize and normalise, with its boxes and masks carried along. The flip and the noise come
 * from generators seeded from {@code (seed, image id, epoch)} only, so the result does not depend
 * on which worker prepares it or when. See {@link CocoLoader} for the torchvision rules followed.
 */
final class ImagePreparer {

  private static final long FLIP_SALT = 0x464C4950L;

  /**
   * The image cannot be trained on (unreadable, of the wrong size, no decodable mask); a
   * replacement takes its slot. No stack trace: it is an expected outcome, logged in one line.
   */
  static final class UnusableImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnusableImageException(String reason) {
      super(reason, null, false, false);
    }
  }

  private final ImageCodec codec;
  private final DetectionTransform transform;
  private final double flipProbability;
  private final long seed;
  private final LowLightSynthesizer synthesizer;
  private final long synthesisSeed;
  private final SkipLog skipLog;

  ImagePreparer(ImageCodec codec, DetectionTransform transform, double flipProbability, long seed,
      LowLightSynthesizer synthesizer, long synthesisSeed, SkipLog skipLog) {
    this.codec = codec;
    this.transform = transform;
    this.flipProbability = flipProbability;
    this.seed = seed;
    this.synthesizer = synthesizer;
    this.synthesisSeed = synthesisSeed;
    this.skipLog = skipLog;
  }

  /**
   * Prepares {@code item} for {@code epoch}; an annotation whose mask cannot be decoded is skipped
   * (and logged) on the way.
   *
   * @throws UnusableImageException when the image as a whole cannot be used
   */
  PreparedImage prepare(UsableImage item, long epoch) {
    CocoImage info = item.image();
    int hh = info.height();
    int ww = info.width();
    RgbImage image;
    try {
      image = codec.read(item.file());
    } catch (ImageReadException e) {
      throw new UnusableImageException(e.getMessage());
    } catch (RuntimeException e) {
      // A native decoder can fail in ways no codec wraps (a cv::Exception); still one bad file.
      throw new UnusableImageException("cannot read image " + item.file() + ": " + e);
    }
    if (image.width() != ww || image.height() != hh) {
      throw new UnusableImageException("the file is " + image.width() + "x" + image.height()
          + " but the annotations say " + ww + "x" + hh);
    }
    List<byte[]> fullMasks = new ArrayList<>(item.annotations().size());
    List<Integer> keep = new ArrayList<>();
    for (int g = 0; g < item.annotations().size(); g++) {
      CocoAnnotation a = item.annotations().get(g);
      try {
        Rle rle = MaskApi.toRle(a.segmentation(), hh, ww);
        if (rle.height() != hh || rle.width() != ww) {
          skipLog.skip(item.file(), info.id(), a.id(), "mask is " + rle.width() + "x" + rle.height() + ", the image "
              + ww + "x" + hh);
          continue;
        }
        fullMasks.add(MaskApi.decode(rle));
        keep.add(g);
      } catch (RuntimeException e) {
        skipLog.skip(item.file(), info.id(), a.id(), "mask cannot be decoded: " + e.getMessage());
      }
    }
    if (keep.isEmpty()) {
      throw new UnusableImageException("no annotation has a decodable mask");
    }
    if (synthesizer != null) {
      long s0 = LowLightTwin.imageSeed(synthesisSeed, info.id());
      long s = epoch == 0 ? s0 : LowLightTwin.imageSeed(s0, epoch);
      image = synthesizer.synthesize(image, s).image();
      if (image.width() != ww || image.height() != hh) {
        throw new IllegalStateException("the synthesizer changed the size of " + item.file() + " from " + ww + "x" + hh
            + " to " + image.width() + "x" + image.height());
      }
    }
    boolean flip = flipProbability > 0 && new SplittableRandom(
        LowLightTwin.imageSeed(LowLightTwin.imageSeed(seed ^ FLIP_SALT, info.id()), epoch)).nextDouble()
        < flipProbability;
    if (flip) {
      image = mirror(image);
    }
    int[] size = transform.rule().resizedSize(hh, ww);
    int h = size[0];
    int w = size[1];
    float[] chw = resizeNormalised(image, h, w);

    int g = keep.size();
    float[] boxes = new float[4 * g];
    int[] labels = new int[g];
    List<byte[]> masks = new ArrayList<>(g);
    // torchvision's resize_boxes: ratios of float32 sizes.
    float rx = (float) w / (float) ww;
    float ry = (float) h / (float) hh;
    int[] srcX = nearest(ww, w);
    int[] srcY = nearest(hh, h);
    for (int i = 0; i < g; i++) {
      int src = keep.get(i);
      CocoAnnotation a = item.annotations().get(src);
      labels[i] = item.labels()[src];
      // torchvision's ConvertCocoPolysToMask: float32 xywh, x2 = x + w in float32, clamped.
      float bx = (float) a.bbox().x();
      float by = (float) a.bbox().y();
      float x1 = Math.min(Math.max(bx, 0f), ww);
      float y1 = Math.min(Math.max(by, 0f), hh);
      float x2 = Math.min(Math.max(bx + (float) a.bbox().w(), 0f), ww);
      float y2 = Math.min(Math.max(by + (float) a.bbox().h(), 0f), hh);
      if (flip) {
        float t = ww - x2;
        x2 = ww - x1;
        x1 = t;
      }
      boxes[4 * i] = x1 * rx;
      boxes[4 * i + 1] = y1 * ry;
      boxes[4 * i + 2] = x2 * rx;
      boxes[4 * i + 3] = y2 * ry;
      masks.add(resizeMask(fullMasks.get(i), hh, ww, h, w, srcX, srcY, flip));
    }
    TrainingTarget target = new TrainingTarget(info.id(), item.file().toString(), hh, ww, h, w, flip, boxes, labels,
        masks);
    return new PreparedImage(chw, target);
  }

  /** Normalised, resized planes {@code 3 × h × w}, unpadded. */
  private float[] resizeNormalised(RgbImage image, int h, int w) {
    if (codec instanceof OpenCvCodec cv) {
      return cv.normaliseResizeChw(image, transform.mean(), transform.std(), h, w);
    }
    DetectionTransform.Prepared p = transform.prepare(image);
    if (p.resizedHeight() != h || p.resizedWidth() != w) {
      throw new IllegalStateException("DetectionTransform resized to " + p.resizedHeight() + "x" + p.resizedWidth()
          + ", expected " + h + "x" + w);
    }
    if (p.paddedHeight() == h && p.paddedWidth() == w) {
      return p.chw();
    }
    float[] out = new float[3 * h * w];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        System.arraycopy(p.chw(), (c * p.paddedHeight() + y) * p.paddedWidth(), out, (c * h + y) * w, w);
      }
    }
    return out;
  }

  private static RgbImage mirror(RgbImage image) {
    int w = image.width();
    int h = image.height();
    float[] src = image.pixels();
    float[] dst = new float[src.length];
    for (int y = 0; y < h; y++) {
      int row = y * w * 3;
      for (int x = 0; x < w; x++) {
        int s = row + (w - 1 - x) * 3;
        int d = row + x * 3;
        dst[d] = src[s];
        dst[d + 1] = src[s + 1];
        dst[d + 2] = src[s + 2];
      }
    }
    return new RgbImage(w, h, dst);
  }

  /** PyTorch's legacy nearest: {@code min(floor(d * (float) in / out), in - 1)} in float32. */
  static int[] nearest(int in, int out) {
    float scale = (float) in / out;
    int[] idx = new int[out];
    for (int d = 0; d < out; d++) {
      idx[d] = Math.min((int) Math.floor(d * scale), in - 1);
    }
    return idx;
  }

  /**
   * Resizes a column-major {@code hh × ww} mask (COCO's layout) to a row-major {@code h × w} one,
   * mirrored when the image was: flipping at the original size, then resizing, as torchvision's
   * reference transforms do.
   */
  private static byte[] resizeMask(byte[] colMajor, int hh, int ww, int h, int w, int[] srcX, int[] srcY,
      boolean flip) {
    byte[] out = new byte[h * w];
    for (int x = 0; x < w; x++) {
      int sx = flip ? ww - 1 - srcX[x] : srcX[x];
      int col = sx * hh;
      for (int y = 0; y < h; y++) {
        out[y * w + x] = colMajor[col + srcY[y]];
      }
    }
    return out;
  }
}
