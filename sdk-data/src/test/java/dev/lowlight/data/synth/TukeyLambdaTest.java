package dev.lowlight.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ELD's Tukey-lambda read noise: the tabulated sampler against the exact quantile function. */
class TukeyLambdaTest {

  @Test
  void tableFollowsTheExactQuantile() {
    for (double lambda : LisOptions.CANON_TUKEY_SHAPES) {
      assertThat(maxTableError(lambda)).as("λ = %s", lambda).isLessThan(1e-4);
    }
    assertThat(maxTableError(0)).isLessThan(1e-4);
    assertThat(maxTableError(-1)).isLessThan(5e-3);
  }

  private static double maxTableError(double lambda) {
    TukeyLambda t = TukeyLambda.of(lambda);
    double worst = 0;
    // 200,003 is prime, so the grid falls at every phase within the table's intervals.
    for (int i = 1; i < 200_003; i++) {
      double u = i / 200_003.0;
      worst = Math.max(worst, Math.abs(t.at(u) - TukeyLambda.quantile(lambda, u)));
    }
    return worst;
  }

  @Test
  void samplesHaveTheDistributionsQuantiles() {
    for (double lambda : new double[] {0.14, 0.02857143, 0}) {
      SeededRandom rng = new SeededRandom(7);
      TukeyLambda t = TukeyLambda.of(lambda);
      int n = 400_000;
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = t.sample(rng);
      }
      Arrays.sort(v);
      for (double p : new double[] {0.01, 0.1, 0.5, 0.9, 0.99}) {
        // The standard error of an empirical p-quantile is sqrt(p(1-p)/n) / density; 0.02 is over 5 of them.
        assertThat(v[(int) (p * n)]).as("λ = %s, p = %s", lambda, p)
            .isCloseTo(TukeyLambda.quantile(lambda, p), within(0.02));
      }
    }
    // λ = 0 is the logistic distribution, variance π²/3.
    SeededRandom rng = new SeededRandom(8);
    double s2 = 0;
    for (int i = 0; i < 400_000; i++) {
      double x = rng.tukeyLambda(0);
      s2 += x * x;
    }
    assertThat(s2 / 400_000).isCloseTo(Math.PI * Math.PI / 3, within(0.05));
  }
}
