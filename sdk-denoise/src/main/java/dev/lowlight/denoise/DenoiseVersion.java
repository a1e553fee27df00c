package dev.lowlight.denoise;

/** The version of this module, reported by its providers. */
final class DenoiseVersion {

  /** Kept in step with the module's pom version. */
  static final String VERSION = "0.1.0";

  private DenoiseVersion() {}
}
