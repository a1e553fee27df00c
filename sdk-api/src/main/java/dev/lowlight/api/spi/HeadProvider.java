package dev.lowlight.api.spi;

/**
 * Creates a head of the kind given by {@link #kind()}: {@link PluginKind#RPN_HEAD}, {@link
 * PluginKind#BOX_HEAD} or {@link PluginKind#MASK_HEAD}. Register in {@code
 * META-INF/services/dev.lowlight.api.spi.HeadProvider}.
 *
 * @param <O> the options record
 */
public interface HeadProvider<O extends Record> extends Provider<O> {

  /** A new, uninitialised head. */
  HeadBlock create(O options, HeadContext context);
}
