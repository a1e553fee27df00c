package dev.lowlight.data.synth;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.Option;

/**
 * Options of the {@code gamma-gaussian} preset: {@code y = β·(α·x)^γ + N(0, σ)} in sRGB, then
 * 8-bit output. The darkening follows MBLLEN (Lv et al., BMVC 2018: α ~ U(0.9, 1), β ~ U(0.5, 1),
 * γ ~ U(1.5, 5)); the additive Gaussian noise σ ~ U(0.005, 0.03) is this SDK's choice.
 *
 * @param alphaMin lower end of α
 * @param alphaMax upper end of α
 * @param betaMin lower end of β
 * @param betaMax upper end of β
 * @param gammaMin lower end of γ
 * @param gammaMax upper end of γ
 * @param noiseStdMin lower end of σ
 * @param noiseStdMax upper end of σ
 */
public record GammaGaussianOptions(
    @Option("alpha ~ U(alpha_min, alpha_max); in (0, 1]") double alphaMin,
    @Option("upper end of alpha") double alphaMax,
    @Option("beta ~ U(beta_min, beta_max); in (0, 1]") double betaMin,
    @Option("upper end of beta") double betaMax,
    @Option("gamma ~ U(gamma_min, gamma_max); in [1, 10]") double gammaMin,
    @Option("upper end of gamma") double gammaMax,
    @Option("noise standard deviation sigma ~ U(noise_std_min, noise_std_max), in sRGB units; in [0, 0.5]")
    double noiseStdMin,
    @Option("upper end of sigma") double noiseStdMax) {

  public GammaGaussianOptions {
    Check.range("alpha_min", alphaMin, 1e-6, 1);
    Check.range("alpha_max", alphaMax, alphaMin, 1);
    Check.range("beta_min", betaMin, 1e-6, 1);
    Check.range("beta_max", betaMax, betaMin, 1);
    Check.range("gamma_min", gammaMin, 1, 10);
    Check.range("gamma_max", gammaMax, gammaMin, 10);
    Check.range("noise_std_min", noiseStdMin, 0, 0.5);
    Check.range("noise_std_max", noiseStdMax, noiseStdMin, 0.5);
  }

  /** The documented defaults. */
  public static GammaGaussianOptions defaults() {
    return new GammaGaussianOptions(0.9, 1.0, 0.5, 1.0, 1.5, 5.0, 0.005, 0.03);
  }
}
