package dev.lowlight.api.spi;

/** The options record of a plugin that takes none. */
public record NoOptions() {

  /** The only value. */
  public static final NoOptions INSTANCE = new NoOptions();
}
