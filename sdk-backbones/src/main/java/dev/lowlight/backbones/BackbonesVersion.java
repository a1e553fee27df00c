package dev.lowlight.backbones;

/** The version of this module, reported by its providers. */
final class BackbonesVersion {

  /** Kept in step with the module's pom version. */
  static final String VERSION = "0.1.0";

  private BackbonesVersion() {}
}
