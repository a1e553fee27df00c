package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.structures.RgbImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code lis-isp} preset ({@link LisIspSynthesizerProvider}): unprocess to a Bayer RGGB RAW,
 * scale to the sensor's range, divide by the darkening ratio, add ELD's physics-based noise
 * (Poisson shot noise with system gain K, Gaussian read noise, row noise, quantisation), multiply
 * back, then white balance, bilinear demosaic, camera → sRGB, gamma and tone curve, 8-bit output.
 * See {@link LisIspOptions} for the ranges.
 *
 * <pre>{@code
 * LowLightSynthesizer s = new LisIspSynthesizer(LisIspOptions.defaults());
 * RgbImage noisy = s.synthesize(clean, 7L).image();
 * }</pre>
 */
public final class LisIspSynthesizer implements LowLightSynthesizer {

  private static final long STAGE_NOISE = 2;

  private final LisIspOptions options;

  /** A synthesizer with the given options. */
  public LisIspSynthesizer(LisIspOptions options) {
    this.options = options;
  }

  /** The options in use. */
  public LisIspOptions options() {
    return options;
  }

  @Override
  public Result synthesize(RgbImage clean, long seed) {
    LisIspOptions o = options;
    SeededRandom rng = SeededRandom.forStream(seed, 0, 0);
    CameraDraw camera = CameraDraw.draw(rng, o.cameraMatrix());
    double gain = rng.truncatedNormal(o.gainMean(), o.gainStd(), 0.05, 5);
    double red = rng.uniform(o.redGainMin(), o.redGainMax());
    double blue = rng.uniform(o.blueGainMin(), o.blueGainMax());
    double ratio = rng.uniform(o.ratioMin(), o.ratioMax());
    double logK = rng.uniform(StrictMath.log(o.systemGainMin()), StrictMath.log(o.systemGainMax()));
    double readSigma = StrictMath.exp(o.readSlope() * logK + o.readIntercept() + rng.normal(0, o.readStd()));
    double rowSigma = StrictMath.exp(o.rowSlope() * logK + o.rowIntercept() + rng.normal(0, o.rowStd()));
    double k = StrictMath.exp(logK);

    double gamma = o.gamma();
    boolean tone = o.inverseToneCurve();
    Curves.InputTable in = Curves.InputTable.power(
        tone ? Curves.LOG_INVERSE_TONE : Curves.LOG_IDENTITY, gamma);
    Curves.Output8 out = new Curves.Output8(
        y -> StrictMath.pow(tone ? Curves.inverseToneCurve(y) : y, gamma));
    double[] rgb2cam = camera.srgbToCamera(CameraMatrices.Normalisation.ROWS);
    float[] forward = MaetSynthesizer.toFloat(CameraMatrices.scale(
        new double[] {gain / red, gain, gain / blue}, rgb2cam, null));
    float[] backward = MaetSynthesizer.toFloat(CameraMatrices.invert(rgb2cam));
    float[] wb = {(float) red, 1f, (float) blue};
    float range = (float) (o.whiteLevel() - o.blackLevel());
    float toDn = (float) (range / ratio);
    float fromDn = (float) (ratio / range);
    float lowClip = (float) -o.blackLevel();

    int w = clean.width();
    int h = clean.height();
    float[] src = clean.pixels();
    float[] raw = new float[w * h];
    Rows.forEach(w, h, y -> {
      SeededRandom rowRng = SeededRandom.forStream(seed, STAGE_NOISE, y);
      int off = y * w;
      for (int x = 0; x < w; x++) {
        int i = (off + x) * 3;
        float r = in.apply(src[i]);
        float g = in.apply(src[i + 1]);
        float b = in.apply(src[i + 2]);
        int c = Bayer.channel(y, x) * 3;
        float v = forward[c] * r + forward[c + 1] * g + forward[c + 2] * b;
        // Brooks et al. clip after the inverse gains: a sensor cannot record above white.
        raw[off + x] = Math.min(1f, Math.max(0f, v)) * toDn;
      }
      NoiseStage.raw(raw, off, off + w, k, readSigma, rowSigma, rowRng);
      for (int x = 0; x < w; x++) {
        float v = Math.min(range, Math.max(lowClip, raw[off + x]));
        // White balance on the mosaic, clipped to the displayable range as in Brooks's process().
        raw[off + x] = Math.min(1f, Math.max(0f, v * fromDn * wb[Bayer.channel(y, x)]));
      }
    });
    float[] dst = new float[w * h * 3];
    Rows.forEach(w, h, y -> {
      float[] row = new float[w * 3];
      Bayer.demosaicRow(raw, w, h, y, row);
      int off = y * w * 3;
      for (int i = 0; i < w * 3; i += 3) {
        float r = row[i];
        float g = row[i + 1];
        float b = row[i + 2];
        dst[off + i] = out.apply(backward[0] * r + backward[1] * g + backward[2] * b);
        dst[off + i + 1] = out.apply(backward[3] * r + backward[4] * g + backward[5] * b);
        dst[off + i + 2] = out.apply(backward[6] * r + backward[7] * g + backward[8] * b);
      }
    });

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preset", LisIspSynthesizerProvider.NAME);
    m.put("seed", seed);
    camera.record(m);
    m.put("gain", gain);
    m.put("red_gain", red);
    m.put("blue_gain", blue);
    m.put("ratio", ratio);
    m.put("system_gain", k);
    m.put("read_sigma", readSigma);
    m.put("row_sigma", rowSigma);
    return new Result(new RgbImage(w, h, dst), m);
  }
}
