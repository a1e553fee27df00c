package dev.lowlight.api.spi;

import dev.lowlight.api.structures.ShapeSpec;
import java.util.Map;

/**
 * Creates {@link Neck}s (feature pyramid networks) from the backbone's declared output shapes.
 *
 * @param <O> the options record
 */
public interface NeckProvider<O extends Record> extends Provider<O> {

  /** A new, uninitialised neck for inputs shaped as {@code inputShape}. */
  Neck create(O options, Map<String, ShapeSpec> inputShape);

  @Override
  default PluginKind kind() {
    return PluginKind.NECK;
  }
}
