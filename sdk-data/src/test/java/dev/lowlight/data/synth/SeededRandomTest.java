package dev.lowlight.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SeededRandomTest {

  @Test
  void sameSeedSameSequenceDifferentSeedDifferent() {
    SeededRandom a = new SeededRandom(5);
    SeededRandom b = new SeededRandom(5);
    SeededRandom c = new SeededRandom(6);
    boolean differs = false;
    for (int i = 0; i < 100; i++) {
      long x = a.nextLong();
      assertThat(b.nextLong()).isEqualTo(x);
      differs |= c.nextLong() != x;
    }
    assertThat(differs).isTrue();
    assertThat(SeededRandom.forStream(1, 1, 0).nextLong()).isNotEqualTo(SeededRandom.forStream(1, 1, 1).nextLong());
    assertThat(SeededRandom.forStream(1, 1, 0).nextLong()).isNotEqualTo(SeededRandom.forStream(1, 2, 0).nextLong());
  }

  @Test
  void gaussianMomentsAndTails() {
    SeededRandom r = new SeededRandom(123);
    int n = 2_000_000;
    double s = 0;
    double s2 = 0;
    double s4 = 0;
    int beyond3 = 0;
    int beyond2 = 0;
    for (int i = 0; i < n; i++) {
      double z = r.nextGaussian();
      s += z;
      s2 += z * z;
      s4 += z * z * z * z;
      if (Math.abs(z) > 3) {
        beyond3++;
      }
      if (Math.abs(z) > 2) {
        beyond2++;
      }
    }
    assertThat(s / n).isCloseTo(0, within(0.003));
    assertThat(s2 / n).isCloseTo(1, within(0.005));
    assertThat(s4 / n).isCloseTo(3, within(0.05));
    assertThat(beyond2 / (double) n).isCloseTo(0.0455, within(0.001));
    assertThat(beyond3 / (double) n).isCloseTo(0.0027, within(0.0002));
  }

  @Test
  void spareUniformIsUniformAndIndependentOfTheNormal() {
    SeededRandom r = new SeededRandom(77);
    int n = 1_000_000;
    double su = 0;
    double suz = 0;
    for (int i = 0; i < n; i++) {
      long bits = r.nextLong();
      double z = r.gaussian(bits);
      double u = SeededRandom.spareUniform(bits);
      assertThat(u).isBetween(0.0, 1.0);
      su += u;
      suz += (u - 0.5) * z;
    }
    assertThat(su / n).isCloseTo(0.5, within(0.002));
    assertThat(suz / n).isCloseTo(0, within(0.002));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.3, 4.0, 29.5, 30.5, 200.0})
  void poissonMeanAndVariance(double lambda) {
    SeededRandom r = new SeededRandom(9);
    int n = 400_000;
    double s = 0;
    double s2 = 0;
    for (int i = 0; i < n; i++) {
      double k = r.poisson(lambda);
      assertThat(k).isGreaterThanOrEqualTo(0).isEqualTo(Math.rint(k));
      s += k;
      s2 += k * k;
    }
    double mean = s / n;
    double var = s2 / n - mean * mean;
    assertThat(mean).isCloseTo(lambda, within(5 * Math.sqrt(lambda / n)));
    assertThat(var / lambda).isCloseTo(1, within(0.02));
  }

  @Test
  void poissonOfSmallMeanIsExact() {
    SeededRandom r = new SeededRandom(1);
    int n = 400_000;
    int zeros = 0;
    for (int i = 0; i < n; i++) {
      if (r.poisson(2.0) == 0) {
        zeros++;
      }
    }
    assertThat(zeros / (double) n).isCloseTo(Math.exp(-2), within(0.003));
  }

  @Test
  void truncatedNormalStaysInBoundsAndFailsLoudlyWithoutMass() {
    SeededRandom r = new SeededRandom(2);
    double s = 0;
    for (int i = 0; i < 100_000; i++) {
      double d = r.truncatedNormal(0.1, 0.08, 0.01, 1.0);
      assertThat(d).isBetween(0.01, 1.0);
      s += d;
    }
    // Mean of N(0.1, 0.08) truncated to [0.01, 1]: 0.1 + 0.08 * phi(-1.125) / (1 - Phi(-1.125)).
    double a = -1.125;
    double phi = Math.exp(-a * a / 2) / Math.sqrt(2 * Math.PI);
    double expected = 0.1 + 0.08 * phi / (1 - 0.13029);
    assertThat(s / 100_000).isCloseTo(expected, within(0.001));
    assertThatThrownBy(() -> r.truncatedNormal(0, 0.01, 5, 6)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too little mass");
  }
}
