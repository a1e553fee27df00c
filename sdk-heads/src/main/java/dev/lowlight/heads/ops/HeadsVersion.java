package dev.lowlight.heads.ops;

/** The version of the sdk-heads jar, reported by its providers. */
public final class HeadsVersion {

  /** From the jar manifest; the project version when run from classes. */
  public static final String VERSION = readVersion();

  private HeadsVersion() {}

  private static String readVersion() {
    String v = HeadsVersion.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0" : v;
  }
}
