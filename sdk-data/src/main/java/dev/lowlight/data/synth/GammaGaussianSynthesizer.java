package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.structures.RgbImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A simple darkening, {@code y = β·(α·x)^γ + N(0, σ)} in sRGB with 8-bit output: no camera model,
 * it exists to show that the synthesis SPI is swappable. See {@link GammaGaussianOptions}.
 */
public final class GammaGaussianSynthesizer implements LowLightSynthesizer {

  private static final long STAGE_NOISE = 1;

  private final GammaGaussianOptions options;

  /** A synthesizer with the given options. */
  public GammaGaussianSynthesizer(GammaGaussianOptions options) {
    this.options = options;
  }

  @Override
  public Result synthesize(RgbImage clean, long seed) {
    GammaGaussianOptions o = options;
    SeededRandom rng = SeededRandom.forStream(seed, 0, 0);
    double alpha = rng.uniform(o.alphaMin(), o.alphaMax());
    double beta = rng.uniform(o.betaMin(), o.betaMax());
    double gamma = rng.uniform(o.gammaMin(), o.gammaMax());
    double sigma = rng.uniform(o.noiseStdMin(), o.noiseStdMax());
    Curves.InputTable in = Curves.InputTable.power(Curves.LOG_IDENTITY, gamma,
        beta * StrictMath.pow(alpha, gamma));
    float s = (float) sigma;
    int w = clean.width();
    float[] src = clean.pixels();
    float[] dst = new float[src.length];
    Rows.forEach(w, clean.height(), y -> {
      SeededRandom r = SeededRandom.forStream(seed, STAGE_NOISE, y);
      int off = y * w * 3;
      for (int i = off; i < off + w * 3; i++) {
        dst[i] = Curves.quantise8(in.apply(src[i]) + s * (float) r.nextGaussian());
      }
    });
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preset", "gamma-gaussian");
    m.put("seed", seed);
    m.put("alpha", alpha);
    m.put("beta", beta);
    m.put("gamma", gamma);
    m.put("noise_std", sigma);
    return new Result(new RgbImage(w, clean.height(), dst), m);
  }
}
