package dev.lowlight.api.spi;

/**
 * Creates {@link LowLightSynthesizer}s, for example the unprocessing pipeline with a named preset.
 * Register in {@code META-INF/services/dev.lowlight.api.spi.SynthesizerProvider}.
 *
 * @param <O> the options record
 */
public interface SynthesizerProvider<O extends Record> extends Provider<O> {

  /** A new synthesizer. */
  LowLightSynthesizer create(O options);

  @Override
  default PluginKind kind() {
    return PluginKind.SYNTHESIZER;
  }
}
