package dev.lowlight.api.spi;

/**
 * Creates {@link DenoisingBlock}s, for example weighted non-local blocks.
 *
 * <p>Register an implementation in {@code
 * META-INF/services/dev.lowlight.api.spi.DenoiserProvider} and name it in the configuration's
 * {@code denoise.name}; the backbone calls {@link #create} once per insertion point with that
 * stage's channel count.
 *
 * @param <O> the options record
 */
public interface DenoiserProvider<O extends Record> extends Provider<O> {

  /**
   * A new, uninitialised block for feature maps with {@code channels} channels.
   *
   * @throws IllegalArgumentException when the options do not suit {@code channels}
   */
  DenoisingBlock create(O options, int channels);

  @Override
  default PluginKind kind() {
    return PluginKind.DENOISER;
  }
}
