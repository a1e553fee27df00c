package dev.lowlight.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.lowlight.api.spi.Option;
import dev.lowlight.api.spi.OptionInfo;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a configuration tree against the Java types it is bound to, before Jackson converts it,
 * so that every problem of a model configuration and of a plugin's options reads the same way:
 * the key's path, what is expected, and the value given ({@code num_classes: expected an integer,
 * got 8.5}). Jackson would truncate a fraction given for an integer and describe other mistakes
 * in its own terms.
 *
 * <p>Checked: the kind of every value (integers reject fractions and values out of range of
 * their Java type), keys unknown to a record, keys given without a value (often a file cut off
 * after the colon), and the {@link Option#min()}, {@link Option#max()} and {@link
 * Option#values()} a plugin declares for its options.
 */
final class ConfigTypes {

  private static final PropertyNamingStrategies.NamingBase SNAKE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  private ConfigTypes() {}

  /**
   * Checks {@code node}, found at {@code path} ({@code ""} for the whole document), against
   * {@code type}.
   *
   * @throws ConfigException naming the path and the value at the first problem
   */
  /**
   * Refuses a key written without a value anywhere in {@code given} (what a user wrote, before it is
   * merged onto the defaults): YAML reads {@code key:} with nothing after it as null, or as an empty
   * string, and a file cut off after a key looks exactly like that.
   *
   * @throws ConfigException naming the key's path
   */
  static void requireValues(JsonNode given, String path) {
    if (given == null || given.isNull() || given.isMissingNode() || given.isTextual() && given.asText().isEmpty()) {
      throw noValue(path);
    }
    if (given.isObject()) {
      given.fields().forEachRemaining(e -> requireValues(e.getValue(), path.isEmpty() ? e.getKey()
          : path + "." + e.getKey()));
    } else if (given.isArray()) {
      for (int i = 0; i < given.size(); i++) {
        requireValues(given.get(i), path + "[" + i + "]");
      }
    }
  }

  private static ConfigException noValue(String path) {
    return new ConfigException(path, "has no value; give one or remove the key (was the file cut off?)");
  }

  static void check(JsonNode node, Type type, String path) {
    // A null left here is a default that means "not given" (solver.steps): what a user wrote without
    // a value was refused by requireValues before the merge.
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (node.isTextual() && node.asText().isEmpty()) {
      throw noValue(path);
    }
    Class<?> raw = raw(type);
    if (raw == int.class || raw == Integer.class) {
      integer(node, path, Integer.MIN_VALUE, Integer.MAX_VALUE, node.canConvertToInt());
    } else if (raw == long.class || raw == Long.class) {
      integer(node, path, Long.MIN_VALUE, Long.MAX_VALUE, node.canConvertToLong());
    } else if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
      if (!node.isNumber()) {
        throw bad(path, "a number", node);
      }
    } else if (raw == boolean.class || raw == Boolean.class) {
      if (!node.isBoolean()) {
        throw bad(path, "true or false", node);
      }
    } else if (raw == String.class) {
      if (!node.isTextual()) {
        throw bad(path, "a string", node);
      }
    } else if (raw.isEnum()) {
      enumeration(node, raw, path);
    } else if (List.class.isAssignableFrom(raw)) {
      if (!node.isArray()) {
        throw bad(path, "a list", node);
      }
      Type element = argument(type, 0);
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), element, path + "[" + i + "]");
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      if (!node.isObject()) {
        throw bad(path, "an object (key: value pairs)", node);
      }
      Type value = argument(type, 1);
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        check(e.getValue(), value, join(path, e.getKey()));
      }
    } else if (raw.isRecord()) {
      record(node, raw, path);
    } else if (raw == Object.class) {
      anyValue(node, path);
    }
    // other types (a plugin's own classes with Jackson annotations) are left to Jackson
  }

  /** The configuration key of a record component: its {@code @JsonProperty} name or its name in snake_case. */
  static String key(RecordComponent c) {
    JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
    return p != null && !p.value().isEmpty() ? p.value() : SNAKE.translate(c.getName());
  }

  /** A value as a user wrote it, for messages: {@code 8.5}, {@code 'abc'}, {@code a list}. */
  static String show(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isTextual()) {
      return "'" + node.asText() + "'";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "an object";
    }
    return node.asText();
  }

  private static void record(JsonNode node, Class<?> type, String path) {
    if (!node.isObject()) {
      throw bad(path, "an object (key: value pairs)", node);
    }
    Map<String, RecordComponent> components = new LinkedHashMap<>();
    for (RecordComponent c : type.getRecordComponents()) {
      components.put(key(c), c);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = join(path, e.getKey());
      RecordComponent c = components.get(e.getKey());
      if (c == null) {
        throw new ConfigException(where, "unknown key; valid keys here: "
            + String.join(", ", new TreeSet<>(components.keySet())));
      }
      check(e.getValue(), c.getGenericType(), where);
      Option declared = c.getAnnotation(Option.class);
      if (declared != null) {
        declared(e.getValue(), declared, where, c.getType());
      }
    }
  }

  /** The range or the values an option declares; worded as {@link Check#range} words it for the type. */
  private static void declared(JsonNode node, Option option, String path, Class<?> type) {
    if (node.isNumber()) {
      double v = node.asDouble();
      if (v < option.min() || v > option.max()) {
        boolean real = type == double.class || type == Double.class || type == float.class || type == Float.class;
        String range = real ? "[" + option.min() + ", " + option.max() + "]" : OptionInfo.allowed(option);
        throw new ConfigException(path, "must be in " + range + ", got " + (real ? Double.toString(v) : show(node)));
      }
    } else if (node.isTextual() && option.values().length > 0
        && !Arrays.asList(option.values()).contains(node.asText())) {
      throw new ConfigException(path, "must be one of " + String.join(", ", option.values()) + ", got "
          + show(node));
    }
  }

  private static void integer(JsonNode node, String path, long min, long max, boolean fits) {
    if (!node.isNumber()) {
      throw bad(path, "an integer", node);
    }
    if (!node.isIntegralNumber()) {
      throw new ConfigException(path, "expected an integer, got " + show(node) + " (a number with a fraction)");
    }
    if (!fits) {
      throw new ConfigException(path, "expected an integer in [" + min + ", " + max + "], got " + show(node));
    }
  }

  private static void enumeration(JsonNode node, Class<?> type, String path) {
    // Jackson writes an enum by its name; a configuration may also use its toString
    List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList();
    List<String> shown = Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
    if (!node.isTextual() || !names.contains(node.asText()) && !shown.contains(node.asText())) {
      throw new ConfigException(path, "must be one of " + String.join(", ", shown) + ", got " + show(node));
    }
  }

  private static void anyValue(JsonNode node, String path) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), Object.class, path + "[" + i + "]");
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        check(e.getValue(), Object.class, join(path, e.getKey()));
      }
    }
  }

  private static ConfigException bad(String path, String expected, JsonNode got) {
    return new ConfigException(path, "expected " + expected + ", got " + show(got));
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
      return c;
    }
    return Object.class;
  }

  private static Type argument(Type type, int index) {
    if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
      return p.getActualTypeArguments()[index];
    }
    return Object.class;
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : a + "." + b;
  }
}
