package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.structures.RgbImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The unprocess → darken → noise → process pipeline of MAET (Cui et al., ICCV 2021), built on the
 * unprocessing of Brooks et al. (CVPR 2019). See {@link MaetOptions} for the ranges.
 *
 * <p>Per image, in sRGB in [0, 1]: inverse tone curve (optional), inverse gamma {@code x^γ},
 * sRGB → camera RGB (a real camera's matrix, normalised as MAET's code or as Brooks et al. do,
 * option {@code matrix_normalisation}), inverse white balance and brightness {@code × [1/r, 1,
 * 1/b]·g}, darkening {@code × d}, shot and read noise, quantisation noise (or rounding), white
 * balance {@code × [r, 1, b]}, camera → sRGB, gamma {@code 1/γ} and 8-bit output. The linear
 * steps are folded into two 3×3 matrices; the curves are tables (see {@link Curves}).
 *
 * <pre>{@code
 * LowLightSynthesizer s = new MaetSynthesizer("maet", MaetOptions.paper());
 * LowLightSynthesizer.Result r = s.synthesize(clean, 42L);
 * }</pre>
 */
public final class MaetSynthesizer implements LowLightSynthesizer {

  private static final long STAGE_NOISE = 1;

  private final String preset;
  private final MaetOptions options;

  /** A synthesizer for {@code preset} (recorded in the parameters) with the given options. */
  public MaetSynthesizer(String preset, MaetOptions options) {
    this.preset = preset;
    this.options = options;
  }

  /** The options in use. */
  public MaetOptions options() {
    return options;
  }

  /** The parameters drawn for one image. */
  record Params(double gamma, CameraDraw camera, double gain, double redGain, double blueGain, double darkness,
      double shot, double read, int level) {}

  Params draw(long seed) {
    MaetOptions o = options;
    SeededRandom rng = SeededRandom.forStream(seed, 0, 0);
    double gamma = rng.uniform(o.gammaMin(), o.gammaMax());
    CameraDraw camera = CameraDraw.draw(rng, o.cameraMatrix());
    double gain = rng.truncatedNormal(o.gainMean(), o.gainStd(), 0.05, 5);
    double red = rng.uniform(o.redGainMin(), o.redGainMax());
    double blue = rng.uniform(o.blueGainMin(), o.blueGainMax());
    double d = o.darkness().equals("uniform")
        ? rng.uniform(o.darknessMin(), o.darknessMax())
        : rng.truncatedNormal(o.darknessMean(), o.darknessStd(), o.darknessMin(), o.darknessMax());
    double logShot = rng.uniform(StrictMath.log(o.shotNoiseMin()), StrictMath.log(o.shotNoiseMax()));
    double logRead = o.readNoiseSlope() * logShot + o.readNoiseIntercept() + rng.normal(0, o.readNoiseStd());
    int level = o.quantisationLevels().get(rng.nextInt(o.quantisationLevels().size()));
    return new Params(gamma, camera, gain, red, blue, d, StrictMath.exp(logShot),
        StrictMath.exp(logRead), level);
  }

  @Override
  public Result synthesize(RgbImage clean, long seed) {
    Params p = draw(seed);
    boolean tone = options.inverseToneCurve();
    double gamma = p.gamma();
    Curves.InputTable in = Curves.InputTable.power(
        tone ? Curves.LOG_INVERSE_TONE : Curves.LOG_IDENTITY, gamma);
    Curves.Output8 out = new Curves.Output8(y -> StrictMath.pow(y, gamma));
    double[] rgb2cam = p.camera().srgbToCamera(options.normalisation());
    double[] inverseGains = {p.gain() / p.redGain(), p.gain(), p.gain() / p.blueGain()};
    for (int i = 0; i < 3; i++) {
      inverseGains[i] *= p.darkness();
    }
    float[] forward = toFloat(CameraMatrices.scale(inverseGains, rgb2cam, null));
    float[] backward = toFloat(CameraMatrices.scale(null, CameraMatrices.invert(rgb2cam),
        new double[] {p.redGain(), 1, p.blueGain()}));
    boolean roundQuant = options.quantisation().equals("round");
    float quantParam = roundQuant ? (float) (p.level() / 255.0) : (float) (1.0 / (255.0 * p.level()));
    float shot = (float) p.shot();
    float read = (float) p.read();

    int w = clean.width();
    float[] src = clean.pixels();
    float[] dst = new float[src.length];
    float quantWidth = 2 * quantParam;
    float quantInverse = 1f / quantParam;
    Rows.forEach(w, clean.height(), y -> {
      SeededRandom rng = SeededRandom.forStream(seed, STAGE_NOISE, y);
      int end = (y + 1) * w * 3;
      // One fused pass per pixel: unprocess, noise, process, all in registers.
      for (int i = y * w * 3; i < end; i += 3) {
        float r = in.apply(src[i]);
        float g = in.apply(src[i + 1]);
        float b = in.apply(src[i + 2]);
        float cr = forward[0] * r + forward[1] * g + forward[2] * b;
        float cg = forward[3] * r + forward[4] * g + forward[5] * b;
        float cb = forward[6] * r + forward[7] * g + forward[8] * b;
        if (roundQuant) {
          cr = (float) Math.rint(NoiseStage.shotRead(cr, shot, read, rng) * quantInverse) * quantParam;
          cg = (float) Math.rint(NoiseStage.shotRead(cg, shot, read, rng) * quantInverse) * quantParam;
          cb = (float) Math.rint(NoiseStage.shotRead(cb, shot, read, rng) * quantInverse) * quantParam;
        } else {
          cr = NoiseStage.shotReadUniform(cr, shot, read, quantWidth, rng);
          cg = NoiseStage.shotReadUniform(cg, shot, read, quantWidth, rng);
          cb = NoiseStage.shotReadUniform(cb, shot, read, quantWidth, rng);
        }
        dst[i] = out.apply(backward[0] * cr + backward[1] * cg + backward[2] * cb);
        dst[i + 1] = out.apply(backward[3] * cr + backward[4] * cg + backward[5] * cb);
        dst[i + 2] = out.apply(backward[6] * cr + backward[7] * cg + backward[8] * cb);
      }
    });
    return new Result(new RgbImage(w, clean.height(), dst), parameters(p, seed));
  }

  private Map<String, Object> parameters(Params p, long seed) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preset", preset);
    m.put("seed", seed);
    m.put("gamma", p.gamma());
    p.camera().record(m);
    m.put("gain", p.gain());
    m.put("red_gain", p.redGain());
    m.put("blue_gain", p.blueGain());
    m.put("darkness", p.darkness());
    m.put("shot_noise", p.shot());
    m.put("read_noise", p.read());
    m.put(options.quantisation().equals("round") ? "quantisation_step" : "quantisation_bits", p.level());
    return m;
  }

  static float[] toFloat(double[] m) {
    float[] f = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      f[i] = (float) m[i];
    }
    return f;
  }
}
