package dev.lowlight.api.registry;

/** A plugin cannot be found, loaded or used; the message names the plugin, its jar and the fix. */
public class PluginException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PluginException(String message) {
    super(message);
  }

  public PluginException(String message, Throwable cause) {
    super(message, cause);
  }
}
