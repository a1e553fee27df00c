package dev.lowlight.api.spi;

/**
 * Creates {@link Backbone}s, for example ResNet-50 bodies.
 *
 * <p>The backbone owns the insertion points of denoisers (like MMDetection's {@code plugins}
 * with {@code stages}): it calls {@link DenoiserInsertion#factory()} for each configured stage
 * and runs the block on that stage's output.
 *
 * @param <O> the options record
 */
public interface BackboneProvider<O extends Record> extends Provider<O> {

  /** A new, uninitialised backbone. */
  Backbone create(O options, BackboneContext context);

  @Override
  default PluginKind kind() {
    return PluginKind.BACKBONE;
  }
}
