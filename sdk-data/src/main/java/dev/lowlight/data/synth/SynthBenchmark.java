package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Measures synthesis throughput in megapixels per second, end to end from a float sRGB image to
 * the 8-bit dark image (no file encoding), using all cores as {@code lowlight synth} does.
 *
 * <pre>{@code
 * double mps = SynthBenchmark.megapixelsPerSecond("maet", 640, 480, 40);
 * }</pre>
 *
 * <p>{@code main} takes optional arguments {@code [preset [width height [images]]]} and prints one
 * line per preset.
 */
public final class SynthBenchmark {

  private SynthBenchmark() {}

  /**
   * Synthesises {@code images} images of {@code width × height} with the preset's default options
   * after a warm-up of the same length, then three timed rounds of {@code images} images, and
   * returns the megapixels per second of the median round.
   */
  public static double megapixelsPerSecond(String preset, int width, int height, int images) {
    if (images < 1) {
      throw new IllegalArgumentException("images must be at least 1, got " + images);
    }
    LowLightSynthesizer synth = create(preset);
    List<RgbImage> inputs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      inputs.add(testImage(width, height, i));
    }
    long sink = 0;
    for (int i = 0; i < images; i++) {
      sink += Float.floatToIntBits(synth.synthesize(inputs.get(i % 4), i).image().pixels()[0]);
    }
    // Three timed rounds, median reported: the machine may be shared, and one slow round
    // should not decide the number.
    double[] seconds = new double[3];
    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < images; i++) {
        sink += Float.floatToIntBits(synth.synthesize(inputs.get(i % 4), 1000L * (round + 1) + i).image().pixels()[0]);
      }
      seconds[round] = (System.nanoTime() - t0) / 1e9;
    }
    java.util.Arrays.sort(seconds);
    if (sink == 42) {
      System.out.print(""); // keeps the work observable to the JIT
    }
    return (double) width * height * images / 1e6 / seconds[1];
  }

  /** Runs the benchmark for one preset or, without arguments, for all of them. */
  public static void main(String[] args) {
    int width = args.length >= 3 ? Integer.parseInt(args[1]) : 640;
    int height = args.length >= 3 ? Integer.parseInt(args[2]) : 480;
    int images = args.length >= 4 ? Integer.parseInt(args[3]) : 60;
    List<String> presets = args.length >= 1 ? List.of(args[0])
        : List.of("maet", "maet-release", "lis", "lis-isp", "gamma-gaussian");
    for (String p : presets) {
      double mps = megapixelsPerSecond(p, width, height, images);
      System.out.printf(Locale.ROOT, "%-15s %dx%d  %7.1f MP/s  (%d threads)%n", p, width, height, mps,
          Runtime.getRuntime().availableProcessors());
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static LowLightSynthesizer create(String preset) {
    for (SynthesizerProvider p : ServiceLoader.load(SynthesizerProvider.class)) {
      if (p.name().equals(preset)) {
        return p.create(p.defaultOptions());
      }
    }
    throw new IllegalArgumentException("no synthesizer named '" + preset + "'");
  }

  /** A natural-looking 8-bit test image: smooth colour gradients with fine texture. */
  static RgbImage testImage(int width, int height, long seed) {
    SeededRandom rng = new SeededRandom(seed);
    float[] px = new float[width * height * 3];
    double[] a = new double[9];
    for (int i = 0; i < 9; i++) {
      a[i] = rng.nextDouble();
    }
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double u = x / (double) width;
        double v = y / (double) height;
        for (int c = 0; c < 3; c++) {
          double val = 0.5 * (a[c] * u + a[c + 3] * v) + 0.3 * a[c + 6] + 0.05 * rng.nextDouble();
          px[(y * width + x) * 3 + c] = Curves.quantise8((float) val);
        }
      }
    }
    return new RgbImage(width, height, px);
  }
}
