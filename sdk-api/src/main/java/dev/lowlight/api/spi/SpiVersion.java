package dev.lowlight.api.spi;

/**
 * The version of the plugin SPI a provider was compiled against.
 *
 * <p>A provider must report the version it was <em>built</em> against, not the one it runs
 * against. {@link #MAJOR} and {@link #MINOR} are compile-time constants, so writing
 *
 * <pre>{@code
 * PluginInfo.of("my-denoiser", "1.0.0", SpiVersion.MAJOR, SpiVersion.MINOR, "what it does")
 * }</pre>
 *
 * <p>in a plugin's {@link Provider#info()} (or {@code SpiVersion.of(SpiVersion.MAJOR,
 * SpiVersion.MINOR)} in its {@code spiVersion()}) inlines the numbers of the {@code sdk-api} jar
 * the plugin was compiled with. The registry accepts a provider when its major version equals the
 * running SPI's and its minor version is not newer (a newer minor may call methods this runtime
 * lacks).
 *
 * @param major incremented on incompatible changes of the SPI
 * @param minor incremented on backward-compatible additions
 */
public record SpiVersion(int major, int minor) implements Comparable<SpiVersion> {

  /** Major version of the SPI in this {@code sdk-api} build; a compile-time constant. */
  public static final int MAJOR = 1;

  /**
   * Minor version of the SPI in this {@code sdk-api} build; a compile-time constant. 1.1 added
   * {@link DenoisingBlock#inspect()}, 1.2 {@link Provider#info()} and {@link PluginInfo}.
   */
  public static final int MINOR = 2;

  /** The version of the SPI that is running. */
  public static final SpiVersion RUNTIME = new SpiVersion(MAJOR, MINOR);

  public SpiVersion {
    if (major < 0 || minor < 0) {
      throw new IllegalArgumentException("SPI version must be non-negative, got " + major + "." + minor);
    }
  }

  /** Shorthand for the constructor, reads well in {@code spiVersion()} implementations. */
  public static SpiVersion of(int major, int minor) {
    return new SpiVersion(major, minor);
  }

  /** Parses {@code "1.0"}. */
  public static SpiVersion parse(String text) {
    String[] parts = text.trim().split("\\.");
    if (parts.length != 2) {
      throw new IllegalArgumentException("SPI version must look like MAJOR.MINOR, got '" + text + "'");
    }
    try {
      return new SpiVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("SPI version must look like MAJOR.MINOR, got '" + text + "'", e);
    }
  }

  /** Whether a provider built against this version can run on {@code runtime}. */
  public boolean runsOn(SpiVersion runtime) {
    return major == runtime.major && minor <= runtime.minor;
  }

  @Override
  public int compareTo(SpiVersion o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
