package dev.lowlight.model;

/** Independent, reproducible random streams derived from one seed. */
public final class Seeds {

  private Seeds() {}

  /** SplitMix64's finaliser of {@code seed} and {@code stream}. */
  public static long mix(long seed, long stream) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
