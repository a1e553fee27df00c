package dev.lowlight.data.synth;

/** The version of the synthesis plugins, reported by their providers. */
final class SynthVersion {

  /** Bumped whenever an output changes for the same seed, so sidecars say which rules made them. */
  static final String VERSION = "0.1.0";

  private SynthVersion() {}
}
