package dev.lowlight.bench.data;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.synth.SyntheticPhotos;
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
      inputs.add(SyntheticPhotos.natural(width, height, i));
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
}
