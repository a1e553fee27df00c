package dev.lowlight.api.spi;

/**
 * What a backbone needs beyond its own options.
 *
 * @param denoising the denoisers to insert, or {@link DenoiserInsertion#NONE}
 */
public record BackboneContext(DenoiserInsertion denoising) {

  /** A context that inserts nothing. */
  public static BackboneContext plain() {
    return new BackboneContext(DenoiserInsertion.NONE);
  }
}
