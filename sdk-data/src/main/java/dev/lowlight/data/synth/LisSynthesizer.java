package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.structures.RgbImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code lis} preset ({@link LisSynthesizerProvider}): LIS's low-light RAW synthesis, which
 * ends in linear, un-white-balanced camera RGB. See {@link LisOptions} for the ranges.
 *
 * <p>Per image, in sRGB in [0, 1]: inverse tone curve, inverse gamma 2.2, sRGB → camera RGB through
 * the inverse of LIS's calibrated camera matrix, inverse white balance and brightness {@code ×
 * [g/r, g, g/b]} with Brooks et al.'s highlight-preserving mask, clip to [0, 1], Bayer RGGB mosaic;
 * then ELD's noise on {@code white − black} DN at an exposure divided by the ratio: Poisson shot
 * noise with system gain K, Tukey-lambda read noise, one row offset per packed row (two sensor rows)
 * and Bayer channel, one quantisation offset per image; the ratio multiplied back, clip to [0, 1],
 * the mosaic rounded to 8 bits and demosaicked bilinearly. No white balance, colour matrix, gamma
 * or tone curve is applied back: the result is dark (linear values) and greenish (the inverse white
 * balance stays), as the images LIS trains its detector on.
 *
 * <pre>{@code
 * LowLightSynthesizer s = new LisSynthesizer(LisOptions.defaults());
 * RgbImage dark = s.synthesize(clean, 7L).image();
 * }</pre>
 */
public final class LisSynthesizer implements LowLightSynthesizer {

  private static final long STAGE_PIXEL_NOISE = 3;
  private static final long STAGE_ROW_NOISE = 4;
  /** Brooks et al.'s {@code safe_invert_gains}: gains fade to 1 above this mean camera value. */
  private static final float INFLECTION = 0.9f;

  private final LisOptions options;

  /** A synthesizer with the given options. */
  public LisSynthesizer(LisOptions options) {
    this.options = options;
  }

  /** The options in use. */
  public LisOptions options() {
    return options;
  }

  /** The parameters drawn for one image; no camera is drawn for the calibrated matrix. */
  record Params(CameraDraw camera, double gain, double redGain, double blueGain, double ratio,
      double systemGain, double readShape, double readScale, double rowScale, double quantisationOffset) {}

  Params draw(long seed) {
    LisOptions o = options;
    SeededRandom rng = SeededRandom.forStream(seed, 0, 0);
    CameraDraw camera = CameraDraw.draw(rng, o.cameraMatrix());
    double gain = rng.truncatedNormal(o.gainMean(), o.gainStd(), 0.05, 5);
    double red = rng.uniform(o.redGainMin(), o.redGainMax());
    double blue = rng.uniform(o.blueGainMin(), o.blueGainMax());
    double ratio = rng.uniform(o.ratioMin(), o.ratioMax());
    double logK = rng.uniform(StrictMath.log(o.systemGainMin()), StrictMath.log(o.systemGainMax()));
    double shape = o.tukeyShapes().get(rng.nextInt(o.tukeyShapes().size()));
    double readScale = StrictMath.exp(o.readSlope() * logK + o.readIntercept() + rng.normal(0, o.readStd()));
    double rowScale = StrictMath.exp(o.rowSlope() * logK + o.rowIntercept() + rng.normal(0, o.rowStd()));
    double quantisation = rng.nextDouble() - 0.5;
    return new Params(camera, gain, red, blue, ratio, StrictMath.exp(logK),
        o.readNoise().equals("tukey") ? shape : Double.NaN, readScale, rowScale,
        o.quantisation().equals("image") ? quantisation : Double.NaN);
  }

  @Override
  public Result synthesize(RgbImage clean, long seed) {
    Params p = draw(seed);
    LisOptions o = options;
    Curves.InputTable in = Curves.InputTable.power(
        o.inverseToneCurve() ? Curves.LOG_INVERSE_TONE : Curves.LOG_IDENTITY, o.gamma());
    float[] m = MaetSynthesizer.toFloat(srgbToCamera(p));
    float[] gains = {(float) (p.gain() / p.redGain()), (float) p.gain(), (float) (p.gain() / p.blueGain())};
    double saturation = o.whiteLevel() - o.blackLevel();
    double toDn = saturation / p.ratio();
    double fromDn = p.ratio() / saturation;
    double k = p.systemGain();
    TukeyLambda tukey = o.readNoise().equals("tukey") ? TukeyLambda.of(p.readShape()) : null;
    boolean perPixelQuantisation = Double.isNaN(p.quantisationOffset());

    int w = clean.width();
    int h = clean.height();
    float[] src = clean.pixels();
    float[] mosaic = new float[w * h];
    Rows.forEach(w, h, y -> {
      SeededRandom rng = SeededRandom.forStream(seed, STAGE_PIXEL_NOISE, y);
      double[] rowOffsets = rowOffsets(seed, y >> 1, p.rowScale());
      int off = y * w;
      for (int x = 0; x < w; x++) {
        int i = (off + x) * 3;
        float r = in.apply(src[i]);
        float g = in.apply(src[i + 1]);
        float b = in.apply(src[i + 2]);
        float cr = m[0] * r + m[1] * g + m[2] * b;
        float cg = m[3] * r + m[4] * g + m[5] * b;
        float cb = m[6] * r + m[7] * g + m[8] * b;
        int c = Bayer.channel(y, x);
        float v = c == 0 ? cr : c == 1 ? cg : cb;
        // Near white the inverse gains fade to 1, so saturated highlights do not turn grey.
        float mask = Math.max((cr + cg + cb) / 3f - INFLECTION, 0f) / (1f - INFLECTION);
        mask *= mask;
        float safe = Math.max(mask + (1f - mask) * gains[c], gains[c]);
        double dn = Math.min(1f, Math.max(0f, v * safe)) * toDn;
        double z = k * rng.poisson(dn / k);
        z += p.readScale() * (tukey != null ? tukey.sample(rng) : rng.nextGaussian());
        z += rowOffsets[packedChannel(y, x)];
        z += perPixelQuantisation ? rng.nextDouble() - 0.5 : p.quantisationOffset();
        // LIS stores the noisy mosaic as 8-bit before demosaicking it.
        mosaic[off + x] = Curves.quantise8((float) (z * fromDn));
      }
    });
    float[] dst = new float[w * h * 3];
    Rows.forEach(w, h, y -> {
      float[] row = new float[w * 3];
      Bayer.demosaicRow(mosaic, w, h, y, row);
      int off = y * w * 3;
      for (int i = 0; i < w * 3; i++) {
        dst[off + i] = Curves.quantise8(row[i]);
      }
    });
    return new Result(new RgbImage(w, h, dst), parameters(p, seed));
  }

  private static double[] srgbToCamera(Params p) {
    return p.camera().drawn() ? p.camera().srgbToCamera(CameraMatrices.Normalisation.ROWS)
        : CameraMatrices.invert(CameraMatrices.LIS_CAMERA_TO_SRGB);
  }

  /**
   * The row offsets of packed row {@code packedRow} (sensor rows {@code 2·packedRow} and {@code
   * 2·packedRow + 1}), one per packed channel R, G1, B, G2, as LIS draws an {@code H/2 × 1 × 4}
   * array; both sensor rows derive them from the same stream.
   */
  private static double[] rowOffsets(long seed, int packedRow, double scale) {
    SeededRandom rng = SeededRandom.forStream(seed, STAGE_ROW_NOISE, packedRow);
    double[] v = new double[4];
    for (int c = 0; c < 4; c++) {
      v[c] = scale * rng.nextGaussian();
    }
    return v;
  }

  /** LIS's packed channel of site {@code (y, x)}: 0 R, 1 G in red rows, 2 B, 3 G in blue rows. */
  static int packedChannel(int y, int x) {
    boolean evenRow = (y & 1) == 0;
    boolean evenCol = (x & 1) == 0;
    return evenRow ? (evenCol ? 0 : 1) : (evenCol ? 3 : 2);
  }

  private Map<String, Object> parameters(Params p, long seed) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preset", LisSynthesizerProvider.NAME);
    m.put("seed", seed);
    p.camera().record(m);
    m.put("gain", p.gain());
    m.put("red_gain", p.redGain());
    m.put("blue_gain", p.blueGain());
    m.put("ratio", p.ratio());
    m.put("system_gain", p.systemGain());
    if (!Double.isNaN(p.readShape())) {
      m.put("read_shape", p.readShape());
    }
    m.put("read_scale", p.readScale());
    m.put("row_scale", p.rowScale());
    if (!Double.isNaN(p.quantisationOffset())) {
      m.put("quantisation_offset", p.quantisationOffset());
    }
    return m;
  }
}
