package dev.lowlight.data.image;

import dev.lowlight.api.structures.RgbImage;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the image codec: OpenCV ({@link OpenCvCodec}) where its native library loads, else
 * ImageIO ({@link ImageIoCodec}), so that users on platforms without a native jar still run. The
 * choice is made once per process and logged once with the reason.
 *
 * <p>The system property {@value #PROPERTY} forces a choice: {@code imageio} never touches OpenCV,
 * {@code opencv} fails loudly when it cannot load; {@code auto} (the default) tries OpenCV first.
 *
 * <pre>{@code
 * ImageCodec codec = ImageCodecs.best();   // "opencv" on linux-x86_64, "imageio" elsewhere
 * RgbImage img = codec.read(Path.of("000001.jpg"));
 * }</pre>
 */
public final class ImageCodecs {

  /** System property naming the codec: {@code auto}, {@code opencv} or {@code imageio}. */
  public static final String PROPERTY = "lowlight.image.codec";

  private static final Logger LOG = LoggerFactory.getLogger(ImageCodecs.class);

  private static volatile ImageCodec best;

  private ImageCodecs() {}

  /** The fastest codec that works here, chosen on the first call and logged once. */
  public static ImageCodec best() {
    ImageCodec c = best;
    if (c == null) {
      synchronized (ImageCodecs.class) {
        c = best;
        if (c == null) {
          c = choose(System.getProperty(PROPERTY, "auto"));
          best = c;
        }
      }
    }
    return c;
  }

  /**
   * OpenCV if it loads and passes a decode self-check, else {@code null}; never throws for a
   * missing or broken native library.
   */
  public static OpenCvCodec openCvOrNull() {
    try {
      return selfChecked(OpenCvCodec.load());
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError | RuntimeException e) {
      LOG.debug("OpenCV is not usable", e);
      return null;
    }
  }

  static ImageCodec choose(String property) {
    String mode = property.trim().toLowerCase(Locale.ROOT);
    switch (mode) {
      case "imageio":
        LOG.info("image codec: ImageIO (forced by -D{}=imageio)", PROPERTY);
        return ImageIoCodec.INSTANCE;
      case "opencv":
        OpenCvCodec forced = selfChecked(OpenCvCodec.load());
        LOG.info("image codec: OpenCV {} (forced by -D{}=opencv)", forced.opencvVersion(), PROPERTY);
        return forced;
      case "auto":
        break;
      default:
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + property + " is not one of auto, opencv, imageio");
    }
    try {
      OpenCvCodec cv = selfChecked(OpenCvCodec.load());
      LOG.info("image codec: OpenCV {} (native library for {} loaded)", cv.opencvVersion(), platform());
      return cv;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError | RuntimeException e) {
      // A user on a platform without the native jar is expected; say why, once, without a stack trace.
      LOG.warn("image codec: ImageIO, slower, because OpenCV could not be used on {}: {}", platform(),
          e.toString());
      return ImageIoCodec.INSTANCE;
    }
  }

  /** Round-trips a tiny PNG so that a half-working native library is caught here, not mid-training. */
  private static OpenCvCodec selfChecked(OpenCvCodec cv) {
    float[] px = new float[2 * 2 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) ((i * 23 % 256) / 255.0);
    }
    RgbImage probe = new RgbImage(2, 2, px);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    try {
      ImageIoCodec.INSTANCE.encode(probe, ImageFormat.PNG, 1f, png);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot encode the OpenCV self-check image", e);
    }
    RgbImage back = cv.decode(png.toByteArray(), java.nio.file.Path.of("<self-check>"));
    if (!java.util.Arrays.equals(back.pixels(), px)) {
      throw new IllegalStateException("OpenCV decoded the self-check PNG differently from ImageIO");
    }
    return cv;
  }

  private static String platform() {
    return System.getProperty("os.name") + "/" + System.getProperty("os.arch");
  }
}
