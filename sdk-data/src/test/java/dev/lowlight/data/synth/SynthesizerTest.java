package dev.lowlight.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.structures.RgbImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SynthesizerTest {

  static Stream<LowLightSynthesizer> all() {
    return Stream.of(new MaetSynthesizer("maet", MaetOptions.paper()),
        new MaetSynthesizer("maet-release", MaetOptions.release()),
        new LisSynthesizer(LisOptions.defaults()),
        new GammaGaussianSynthesizer(GammaGaussianOptions.defaults()),
        new MaetSynthesizer("maet-mix", withMix(MaetOptions.paper())));
  }

  private static MaetOptions withMix(MaetOptions o) {
    return new MaetOptions(o.inverseToneCurve(), o.gammaMin(), o.gammaMax(), o.gainMean(), o.gainStd(),
        o.redGainMin(), o.redGainMax(), o.blueGainMin(), o.blueGainMax(), "mix", o.darkness(),
        o.darknessMean(), o.darknessStd(), o.darknessMin(), o.darknessMax(), o.shotNoiseMin(),
        o.shotNoiseMax(), o.readNoiseSlope(), o.readNoiseIntercept(), o.readNoiseStd(), o.quantisation(),
        o.quantisationLevels());
  }

  @ParameterizedTest
  @MethodSource("all")
  void sameSeedSameBytesDifferentSeedDifferent(LowLightSynthesizer s) {
    RgbImage clean = SynthTestImages.natural(257, 191, 1);
    LowLightSynthesizer.Result a = s.synthesize(clean, 42);
    LowLightSynthesizer.Result b = s.synthesize(clean, 42);
    LowLightSynthesizer.Result c = s.synthesize(clean, 43);
    assertThat(Arrays.equals(b.image().pixels(), a.image().pixels())).isTrue();
    assertThat(b.parameters()).isEqualTo(a.parameters());
    assertThat(Arrays.equals(c.image().pixels(), a.image().pixels())).isFalse();
    assertThat(c.parameters()).isNotEqualTo(a.parameters());
    assertThat(a.parameters()).containsEntry("seed", 42L).containsKey("preset");
  }

  @ParameterizedTest
  @MethodSource("all")
  void resultDoesNotDependOnThreadCount(LowLightSynthesizer s) throws Exception {
    RgbImage clean = SynthTestImages.natural(320, 240, 2);
    float[] reference = s.synthesize(clean, 7).image().pixels();
    for (int threads : new int[] {1, 3}) {
      ForkJoinPool pool = new ForkJoinPool(threads);
      try {
        float[] other = pool.submit(() -> s.synthesize(clean, 7).image().pixels()).get();
        assertThat(Arrays.equals(other, reference)).isTrue();
      } finally {
        pool.shutdown();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("all")
  void outputIsEightBitInRangeForOddAndTinySizes(LowLightSynthesizer s) {
    for (int[] size : new int[][] {{1, 1}, {1, 7}, {7, 1}, {3, 5}, {33, 17}, {2, 2}}) {
      RgbImage clean = SynthTestImages.natural(size[0], size[1], 3);
      RgbImage dark = s.synthesize(clean, 5).image();
      assertThat(dark.width()).isEqualTo(size[0]);
      assertThat(dark.height()).isEqualTo(size[1]);
      assertThat(SynthTestImages.allLevels(dark)).as("values k/255 in [0, 1] for %dx%d", size[0], size[1]).isTrue();
    }
    RgbImage extremes = SynthTestImages.flat(9, 9, 1f);
    assertThat(SynthTestImages.allLevels(s.synthesize(extremes, 1).image())).isTrue();
    assertThat(SynthTestImages.allLevels(s.synthesize(SynthTestImages.flat(9, 9, 0f), 1).image())).isTrue();
  }

  @ParameterizedTest
  @MethodSource("all")
  void darkensTheImage(LowLightSynthesizer s) {
    if (s instanceof LisSynthesizer) {
      return; // LIS multiplies the ratio back: its output keeps the brightness and gains noise.
    }
    RgbImage clean = SynthTestImages.natural(128, 96, 4);
    double cleanMean = mean(clean.pixels());
    double darkSum = 0;
    for (int seed = 0; seed < 10; seed++) {
      darkSum += mean(s.synthesize(clean, seed).image().pixels());
    }
    assertThat(darkSum / 10).isLessThan(cleanMean * 0.8);
  }

  @Test
  void meanLinearBrightnessScalesWithDarkeningFactor() {
    RgbImage clean = SynthTestImages.natural(200, 150, 5);
    double[] ds = {0.05, 0.1, 0.2, 0.4, 0.8};
    double[] linearMeans = new double[ds.length];
    for (int i = 0; i < ds.length; i++) {
      MaetSynthesizer s = new MaetSynthesizer("maet", lowNoise(MaetOptions.paper().withFixedDarkness(ds[i])));
      LowLightSynthesizer.Result r = s.synthesize(clean, 99);
      assertThat((double) r.parameters().get("darkness")).isEqualTo(ds[i]);
      double gamma = (double) r.parameters().get("gamma");
      double sum = 0;
      for (float v : r.image().pixels()) {
        sum += Math.pow(v, gamma);
      }
      linearMeans[i] = sum / r.image().pixels().length;
    }
    for (int i = 1; i < ds.length; i++) {
      double ratio = linearMeans[i] / linearMeans[0];
      assertThat(ratio / (ds[i] / ds[0])).as("d=%s", ds[i]).isCloseTo(1.0, within(0.05));
    }
  }

  @Test
  void flatGreyKeepsItsLinearValueTimesGainAndDarkness() {
    // White balance and colour matrices cancel on the way back; what remains is g·d.
    MaetOptions o = lowNoise(MaetOptions.paper().withFixedDarkness(0.3));
    MaetSynthesizer s = new MaetSynthesizer("maet", o);
    LowLightSynthesizer.Result r = s.synthesize(SynthTestImages.flat(64, 64, 0.6f), 3);
    double gamma = (double) r.parameters().get("gamma");
    double g = (double) r.parameters().get("gain");
    double expectedLinear = Math.pow(Curves.inverseToneCurve(0.6), gamma) * g * 0.3;
    double expected = Math.round(255 * Math.pow(expectedLinear, 1 / gamma)) / 255.0;
    double m = mean(r.image().pixels());
    assertThat(m).isCloseTo(expected, within(1.5 / 255));
  }

  @Test
  void releasePresetQuantisesAndSkipsToneCurve() {
    MaetSynthesizer s = new MaetSynthesizer("maet-release", MaetOptions.release());
    Map<String, Object> p = s.synthesize(SynthTestImages.natural(16, 16, 1), 1).parameters();
    assertThat((int) p.get("quantisation_step")).isIn(4, 6, 8);
    assertThat((double) p.get("darkness")).isBetween(0.01, 0.4);
    assertThat(p).doesNotContainKey("quantisation_bits");
  }

  @Test
  void lisNoiseGrowsWithRatio() {
    RgbImage clean = SynthTestImages.flat(96, 96, 0.5f);
    double lowStd = std(new LisSynthesizer(LisOptions.defaults().withFixedRatio(10)).synthesize(clean, 3).image());
    double highStd = std(new LisSynthesizer(LisOptions.defaults().withFixedRatio(100)).synthesize(clean, 3).image());
    assertThat(highStd).isGreaterThan(lowStd * 1.5);
  }

  @Test
  void parametersRecordEveryDraw() {
    Map<String, Object> p = new MaetSynthesizer("maet", MaetOptions.paper()).synthesize(SynthTestImages.flat(4, 4, 0.5f), 8).parameters();
    assertThat(p.keySet()).containsExactly("preset", "seed", "gamma", "camera", "gain", "red_gain", "blue_gain",
        "darkness", "shot_noise", "read_noise", "quantisation_bits");
    double shot = (double) p.get("shot_noise");
    assertThat(shot).isBetween(1e-4, 0.012);
    assertThat((double) p.get("gamma")).isBetween(2.0, 3.5);
    assertThat((double) p.get("darkness")).isBetween(0.01, 1.0);
    assertThat((int) p.get("quantisation_bits")).isIn(12, 14, 16);
    Map<String, Object> lis = new LisSynthesizer(LisOptions.defaults()).synthesize(SynthTestImages.flat(4, 4, 0.5f), 8).parameters();
    assertThat(lis).containsKeys("camera_weights", "ratio", "system_gain", "read_sigma", "row_sigma");
    assertThat((double) lis.get("system_gain")).isBetween(0.218, 13.96);
    assertThat((List<?>) lis.get("camera_weights")).hasSize(4);
  }

  @Test
  void noiseParameterDistributionsFollowThePaper() {
    MaetSynthesizer s = new MaetSynthesizer("maet", MaetOptions.paper());
    int n = 4000;
    double sumResidual = 0;
    double sumResidual2 = 0;
    double sumLogShot = 0;
    for (int seed = 0; seed < n; seed++) {
      MaetSynthesizer.Params p = s.draw(seed);
      double residual = Math.log(p.read()) - (2.18 * Math.log(p.shot()) + 1.20);
      sumResidual += residual;
      sumResidual2 += residual * residual;
      sumLogShot += Math.log(p.shot());
    }
    assertThat(sumResidual / n).isCloseTo(0, within(0.02));
    assertThat(Math.sqrt(sumResidual2 / n)).isCloseTo(0.26, within(0.01));
    assertThat(sumLogShot / n).isCloseTo((Math.log(1e-4) + Math.log(0.012)) / 2, within(0.05));
  }

  private static MaetOptions lowNoise(MaetOptions o) {
    return new MaetOptions(o.inverseToneCurve(), o.gammaMin(), o.gammaMax(), o.gainMean(), o.gainStd(),
        o.redGainMin(), o.redGainMax(), o.blueGainMin(), o.blueGainMax(), o.cameraMatrix(), o.darkness(),
        o.darknessMean(), o.darknessStd(), o.darknessMin(), o.darknessMax(), 1e-7, 1e-7,
        o.readNoiseSlope(), o.readNoiseIntercept(), o.readNoiseStd(), o.quantisation(), o.quantisationLevels());
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double std(RgbImage img) {
    float[] v = img.pixels();
    double m = mean(v);
    double ss = 0;
    for (float x : v) {
      ss += (x - m) * (x - m);
    }
    return Math.sqrt(ss / v.length);
  }
}
