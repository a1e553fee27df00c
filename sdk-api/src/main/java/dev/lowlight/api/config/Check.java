package dev.lowlight.api.config;

import java.util.List;

/**
 * Range checks for configuration records and plugin options. Each failure is an {@link
 * InvalidValueException} carrying the key, which the loader joins to the key's path.
 */
public final class Check {

  private Check() {}

  /** {@code min <= value <= max}. */
  public static int range(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InvalidValueException(key, "must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }

  /** {@code min <= value <= max}, rejecting NaN. */
  public static double range(String key, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new InvalidValueException(key, "must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }

  /** {@code value} is one of {@code allowed}. */
  public static String oneOf(String key, String value, List<String> allowed) {
    if (!allowed.contains(value)) {
      throw new InvalidValueException(key, "must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
    }
    return value;
  }

  /** {@code value} is present. */
  public static <T> T required(String key, T value) {
    if (value == null) {
      throw new InvalidValueException(key, "is required");
    }
    return value;
  }

  /** A bad value for the key {@code key} of the enclosing object. */
  public static final class InvalidValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public InvalidValueException(String key, String message) {
      super(key + " " + message);
      this.key = key;
    }

    /** The key, possibly with an index ({@code stages[2]}). */
    public String key() {
      return key;
    }

    /** The message without the key. */
    public String problem() {
      return getMessage().substring(key.length() + 1);
    }
  }
}
