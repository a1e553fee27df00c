package dev.lowlight.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CurvesTest {

  @ParameterizedTest
  @ValueSource(doubles = {1.0, 2.0, 2.2, 2.7, 3.5, 6.0})
  void output8EqualsRoundingTheCurve(double gamma) {
    Curves.Output8 q = new Curves.Output8(y -> Math.pow(y, gamma));
    SeededRandom r = new SeededRandom(4);
    for (int i = 0; i < 200_000; i++) {
      // Spread over many orders of magnitude, where the table changes resolution.
      float x = (float) Math.pow(10, -r.uniform(0, 12));
      int expected = (int) Math.round(255 * Math.pow(x, 1 / gamma));
      int got = q.level(x);
      if (got != expected) {
        // Only values within float rounding of a decision threshold may differ.
        double y = 255 * Math.pow(x, 1 / gamma);
        assertThat(Math.abs(y - Math.floor(y) - 0.5)).as("x=%s", x).isLessThan(1e-4);
      }
    }
    assertThat(q.level(-1f)).isZero();
    assertThat(q.level(Float.NaN)).isZero();
    assertThat(q.level(0f)).isZero();
    assertThat(q.level(1f)).isEqualTo(255);
    assertThat(q.level(7f)).isEqualTo(255);
  }

  @Test
  void toneTableIsExactOnEightBitInputs() {
    Curves.InputTable t = Curves.InputTable.power(Curves.LOG_INVERSE_TONE, 2.5);
    for (int k = 0; k <= 255; k++) {
      double x = k / 255.0;
      double expected = Math.pow(Math.max(Curves.inverseToneCurve(x), 1e-8), 2.5);
      assertThat((double) t.apply((float) x)).isCloseTo(expected, within(1e-6 + 1e-5 * expected));
    }
    assertThat(t.apply(-0.5f)).isEqualTo(t.apply(0f));
    assertThat(t.apply(2f)).isEqualTo(t.apply(1f));
  }

  @Test
  void inverseToneCurveInvertsSmoothstep() {
    for (int i = 0; i <= 100; i++) {
      double x = i / 100.0;
      assertThat(Curves.toneCurve(Curves.inverseToneCurve(x))).isCloseTo(x, within(1e-12));
    }
  }
}
