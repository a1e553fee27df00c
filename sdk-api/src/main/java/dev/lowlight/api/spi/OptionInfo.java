package dev.lowlight.api.spi;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One documented option of a plugin, as shown by {@code lowlight plugins}.
 *
 * @param key the key in configuration files ({@code snake_case})
 * @param type a readable type name
 * @param defaultValue the default, as text
 * @param description what the option does, from {@link Option}; empty when undocumented
 * @param allowed the declared range ({@code [1, 15]}) or values ({@code a|b}); empty when none
 */
public record OptionInfo(String key, String type, String defaultValue, String description, String allowed) {

  /** An option without a declared range. */
  public OptionInfo(String key, String type, String defaultValue, String description) {
    this(key, type, defaultValue, description, "");
  }

  /** Describes every component of {@code type}, reading defaults from {@code defaults}. */
  public static List<OptionInfo> describe(Class<? extends Record> type, Record defaults) {
    List<OptionInfo> out = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      Option doc = c.getAnnotation(Option.class);
      Object value;
      try {
        value = defaults == null ? null : c.getAccessor().invoke(defaults);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read option " + c.getName() + " of " + type.getName(), e);
      }
      out.add(new OptionInfo(snakeCase(c.getName()), c.getGenericType().getTypeName()
          .replace("java.lang.", "").replace("java.util.", ""),
          String.valueOf(value), doc == null ? "" : doc.value(), allowed(doc)));
    }
    return List.copyOf(out);
  }

  /** The declared range or values of an option, as text; empty when it declares none. */
  public static String allowed(Option doc) {
    if (doc == null) {
      return "";
    }
    if (doc.values().length > 0) {
      return String.join("|", doc.values());
    }
    boolean low = doc.min() != Double.NEGATIVE_INFINITY;
    boolean high = doc.max() != Double.POSITIVE_INFINITY;
    if (!low && !high) {
      return "";
    }
    return "[" + (low ? number(doc.min()) : "-inf") + ", " + (high ? number(doc.max()) : "inf") + "]";
  }

  /** A bound as written: {@code 15}, not {@code 15.0}. */
  public static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** {@code memoryBudgetMb} to {@code memory_budget_mb}, the key style of configuration files. */
  public static String snakeCase(String camel) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char ch = camel.charAt(i);
      if (Character.isUpperCase(ch)) {
        if (i > 0) {
          b.append('_');
        }
        b.append(Character.toLowerCase(ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
