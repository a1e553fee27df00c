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
        new LisIspSynthesizer(LisIspOptions.defaults()),
        new GammaGaussianSynthesizer(GammaGaussianOptions.defaults()),
        new MaetSynthesizer("maet-mix", withMix(MaetOptions.paper())));
  }

  private static MaetOptions withMix(MaetOptions o) {
    return new MaetOptions(o.inverseToneCurve(), o.gammaMin(), o.gammaMax(), o.gainMean(), o.gainStd(),
        o.redGainMin(), o.redGainMax(), o.blueGainMin(), o.blueGainMax(), "mix", o.matrixNormalisation(), o.darkness(),
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
    if (s instanceof LisIspSynthesizer) {
      return; // lis-isp renders the noisy RAW back through the whole ISP: it keeps the brightness.
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
    double ispLow = std(new LisIspSynthesizer(LisIspOptions.defaults().withFixedRatio(10)).synthesize(clean, 3).image());
    double ispHigh = std(new LisIspSynthesizer(LisIspOptions.defaults().withFixedRatio(100)).synthesize(clean, 3)
        .image());
    assertThat(ispHigh).isGreaterThan(ispLow * 1.5);
  }

  @Test
  void lisIsDarkAndGreenishLinearCameraRgb() {
    // LIS applies no white balance, colour matrix, gamma or tone curve back: measured 0.253 of the input's mean
    // brightness here (a NumPy rendering of LIS's published pipeline gives 0.253 on the same images), green the
    // brightest channel; lis-isp, which renders through the whole ISP, keeps 0.86.
    LisSynthesizer lis = new LisSynthesizer(LisOptions.defaults());
    LisIspSynthesizer isp = new LisIspSynthesizer(LisIspOptions.defaults());
    double lisRatio = 0;
    double ispRatio = 0;
    double[] channels = new double[3];
    int n = 0;
    for (int img = 0; img < 3; img++) {
      RgbImage clean = SynthTestImages.natural(160, 120, img);
      double cleanMean = mean(clean.pixels());
      for (int seed = 0; seed < 4; seed++) {
        float[] dark = lis.synthesize(clean, seed).image().pixels();
        lisRatio += mean(dark) / cleanMean;
        ispRatio += mean(isp.synthesize(clean, seed).image().pixels()) / cleanMean;
        for (int i = 0; i < dark.length; i++) {
          channels[i % 3] += dark[i];
        }
        n++;
      }
    }
    assertThat(lisRatio / n).as("lis brightness relative to its input").isBetween(0.18, 0.33);
    assertThat(ispRatio / n).as("lis-isp brightness relative to its input").isGreaterThan(0.7);
    assertThat(channels[1]).as("green above red").isGreaterThan(1.5 * channels[0]);
    assertThat(channels[1]).as("green above blue").isGreaterThan(1.5 * channels[2]);
  }

  /** The default LIS options with the noise and the gain spread switched off. */
  private static LisOptions lisWithoutNoise(double rowSigma) {
    LisOptions d = LisOptions.defaults();
    return new LisOptions(d.inverseToneCurve(), d.gamma(), d.cameraMatrix(), d.gainMean(), 0, d.redGainMin(),
        d.redGainMax(), d.blueGainMin(), d.blueGainMax(), d.whiteLevel(), d.blackLevel(), rowSigma > 0 ? 10 : 1,
        rowSigma > 0 ? 10 : 1, 1e-6, 1e-6, d.readNoise(), d.tukeyShapes(), 0, -50, 0, 0,
        rowSigma > 0 ? Math.log(rowSigma) : -50, 0, d.quantisation());
  }

  @Test
  void lisReturnsGreyAsUnWhiteBalancedLinearCameraValues() {
    // The calibrated matrix keeps grey grey, so each site holds 0.5^2.2 · g / gain of its channel, in 8 bits.
    LowLightSynthesizer.Result r = new LisSynthesizer(lisWithoutNoise(0)).synthesize(SynthTestImages.flat(8, 6, 0.5f), 4);
    double linear = Math.pow(0.5, 2.2) * 0.8;
    double[] expected = {linear / (double) r.parameters().get("red_gain"), linear,
        linear / (double) r.parameters().get("blue_gain")};
    float[] px = r.image().pixels();
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 8; x++) {
        int c = Bayer.channel(y, x);
        assertThat((double) px[(y * 8 + x) * 3 + c]).as("site (%d, %d)", y, x).isCloseTo(expected[c], within(1 / 255.0));
      }
    }
  }

  @Test
  void lisRowNoiseIsOneOffsetPerPackedRowAndChannel() {
    int w = 24;
    int h = 20;
    float[] px = new LisSynthesizer(lisWithoutNoise(300)).synthesize(SynthTestImages.flat(w, h, 0.5f), 2).image()
        .pixels();
    float[] base = new LisSynthesizer(lisWithoutNoise(0)).synthesize(SynthTestImages.flat(w, h, 0.5f), 2).image()
        .pixels();
    java.util.Set<Integer> redLevels = new java.util.HashSet<>();
    int greensDiffer = 0;
    int redAndGreenDiffer = 0;
    for (int y = 0; y < h; y++) {
      for (int start = 0; start < 2; start++) {
        // sites of one Bayer channel in this row: R or G1 in even rows, G2 or B in odd ones
        int c = Bayer.channel(y, start);
        float first = px[(y * w + start) * 3 + c];
        for (int x = start; x < w; x += 2) {
          // equal up to the rounding of the residual shot noise (σ 0.02 DN against a row offset σ of 300 DN)
          assertThat(px[(y * w + x) * 3 + c]).as("row %d, column %d", y, x).isCloseTo(first, within(1.01f / 255));
        }
        if (y % 2 == 0 && start == 0) {
          redLevels.add(Math.round(first * 255 / 4)); // levels in bins of 4, so rounding noise cannot count
        }
      }
      if (y % 2 == 0 && Math.abs(px[(y * w + 1) * 3 + 1] - px[((y + 1) * w) * 3 + 1]) > 2.5f / 255) {
        greensDiffer++; // G1 of row 2i and G2 of row 2i + 1 have offsets of their own
      }
      int red = (y * w) * 3;
      int green = (y * w + 1) * 3 + 1;
      boolean inside = px[red] > 0 && px[red] < 1 && px[green] > 0 && px[green] < 1;
      if (y % 2 == 0 && inside && Math.abs((px[red] - base[red]) - (px[green] - base[green])) > 2.5f / 255) {
        redAndGreenDiffer++; // R and G1 of one sensor row have offsets of their own too
      }
    }
    assertThat(redLevels).as("one red offset per packed row").hasSizeGreaterThan(5);
    assertThat(greensDiffer).isGreaterThan(5);
    assertThat(redAndGreenDiffer).isGreaterThan(3);
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
    Map<String, Object> lis = new LisSynthesizer(LisOptions.defaults()).synthesize(SynthTestImages.flat(4, 4, 0.5f), 8)
        .parameters();
    assertThat(lis.keySet()).containsExactly("preset", "seed", "gain", "red_gain", "blue_gain", "ratio", "system_gain",
        "read_shape", "read_scale", "row_scale", "quantisation_offset");
    assertThat((double) lis.get("system_gain")).isBetween(0.218, 13.96);
    assertThat((double) lis.get("ratio")).isBetween(10.0, 100.0);
    assertThat(LisOptions.CANON_TUKEY_SHAPES).contains((double) lis.get("read_shape"));
    assertThat((double) lis.get("quantisation_offset")).isBetween(-0.5, 0.5);
    Map<String, Object> isp = new LisIspSynthesizer(LisIspOptions.defaults()).synthesize(SynthTestImages.flat(4, 4,
        0.5f), 8).parameters();
    assertThat(isp).containsEntry("preset", "lis-isp").containsKeys("camera_weights", "ratio", "system_gain",
        "read_sigma", "row_sigma");
    assertThat((List<?>) isp.get("camera_weights")).hasSize(4);
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
        o.redGainMin(), o.redGainMax(), o.blueGainMin(), o.blueGainMax(), o.cameraMatrix(), o.matrixNormalisation(),
        o.darkness(),
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
