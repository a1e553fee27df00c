package dev.lowlight.api.spi;

/** The kinds of plugin the SDK discovers; each has its own provider interface. */
public enum PluginKind {
  /** {@link BackboneProvider}: image to multi-scale features. */
  BACKBONE("backbone", BackboneProvider.class),
  /** {@link DenoiserProvider}: shape-preserving feature-denoising blocks. */
  DENOISER("denoiser", DenoiserProvider.class),
  /** {@link NeckProvider}: multi-scale features to multi-scale features (FPN). */
  NECK("neck", NeckProvider.class),
  /** {@link HeadProvider} of the region proposal network. */
  RPN_HEAD("rpn-head", HeadProvider.class),
  /** {@link HeadProvider} of the box branch. */
  BOX_HEAD("box-head", HeadProvider.class),
  /** {@link HeadProvider} of the mask branch. */
  MASK_HEAD("mask-head", HeadProvider.class),
  /** {@link SynthesizerProvider}: clean sRGB image to synthetic low-light image. */
  SYNTHESIZER("synthesizer", SynthesizerProvider.class);

  private final String label;
  private final Class<? extends Provider<?>> providerType;

  PluginKind(String label, Class<?> providerType) {
    this.label = label;
    @SuppressWarnings("unchecked")
    Class<? extends Provider<?>> type = (Class<? extends Provider<?>>) providerType;
    this.providerType = type;
  }

  /** The name used in listings and error messages, for example {@code denoiser}. */
  public String label() {
    return label;
  }

  /** The service interface providers of this kind register under {@code META-INF/services}. */
  public Class<? extends Provider<?>> providerType() {
    return providerType;
  }

  @Override
  public String toString() {
    return label;
  }
}
