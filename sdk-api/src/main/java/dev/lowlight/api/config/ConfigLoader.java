package dev.lowlight.api.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.lowlight.api.spi.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads, validates and writes {@link ModelConfig} files (JSON, or YAML for {@code .yaml} and
 * {@code .yml}).
 *
 * <p>A file states only what differs from {@link ModelConfig#defaults()}: it is merged key by key
 * onto the defaults (lists replace, objects merge; a plugin's {@code options} are dropped from the
 * defaults when the file names another plugin). Unknown keys, wrong types and out-of-range values
 * are {@link ConfigException}s naming the key's path and what is allowed.
 *
 * <pre>{@code
 * ModelConfig config = ConfigLoader.load(Path.of("wnlb.yaml"));
 * var options = ConfigLoader.bind(registry.denoiser(config.denoise().name()), config.denoise().options(), "denoise.options");
 * }</pre>
 */
public final class ConfigLoader {

  private static final ObjectMapper JSON = configure(JsonMapper.builder());
  private static final ObjectMapper YAML = configure(YAMLMapper.builder(
      YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build()));

  private ConfigLoader() {}

  private static ObjectMapper configure(com.fasterxml.jackson.databind.cfg.MapperBuilder<?, ?> b) {
    // A key given twice would silently keep the last value (a second `solver:` block replacing the
    // first one whole), so duplicates are an error that names the key and the line.
    return b.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(SerializationFeature.INDENT_OUTPUT)
        // a plugin's options are a map: written sorted, so a file's bytes do not depend on the order
        // in which the options were given or merged
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .build();
  }

  /**
   * Reads {@code file}. An empty file is an error (it would silently mean torchvision's defaults),
   * and so is a YAML file whose last line has no newline: a file cut off in the middle of a line
   * ({@code max_iters: 10} of {@code max_iters: 1000}) is otherwise valid YAML that means something
   * else than was written.
   *
   * @throws ConfigException naming the file and the key when the file is invalid
   * @throws IOException when it cannot be read
   */
  public static ModelConfig load(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), "no such file");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new ConfigException(file.toString(), "not a text file (not valid UTF-8)");
    }
    try {
      boolean yaml = isYaml(file);
      checkComplete(text, yaml);
      return parse(text, yaml);
    } catch (ConfigException e) {
      throw e.inFile(file.toString());
    }
  }

  /** Refuses an empty document and a YAML document that ends in the middle of a line. */
  private static void checkComplete(String text, boolean yaml) {
    JsonNode tree;
    try {
      tree = (yaml ? YAML : JSON).readTree(text);
    } catch (JsonProcessingException e) {
      return; // parse() reports it, with its line and column
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new ConfigException("", "the file is empty; a configuration states at least one key"
          + " (`lowlight config defaults` prints them all)");
    }
    if (yaml && !text.endsWith("\n")) {
      String[] lines = text.split("\n", -1);
      String last = lines[lines.length - 1].strip();
      throw new ConfigException("", "ends in the middle of line " + lines.length + " ('" + last + "'), as a file cut"
          + " off does; if the file is complete, end it with a newline");
    }
  }

  /** Parses configuration text, YAML or JSON. */
  public static ModelConfig parse(String text, boolean yaml) {
    return parse(List.of(text), yaml);
  }

  /**
   * Parses layers of configuration text, YAML or JSON, each merged onto the defaults and the
   * layers before it, key by key ({@code solver: {max_iters: 10}} in a later layer changes that
   * key only), as Detectron2 merges a file and then a list of overrides.
   *
   * <pre>{@code
   * ModelConfig c = ConfigLoader.parse(List.of(Files.readString(base), "solver: {max_iters: 100}"), true);
   * }</pre>
   */
  public static ModelConfig parse(List<String> layers, boolean yaml) {
    ObjectMapper mapper = yaml ? YAML : JSON;
    ObjectNode merged = JSON.valueToTree(ModelConfig.defaults());
    for (String text : layers) {
      JsonNode user;
      try {
        user = mapper.readTree(text);
      } catch (JsonProcessingException e) {
        throw new ConfigException("", "not valid " + (yaml ? "YAML" : "JSON") + ": " + JsonErrors.describe(e));
      }
      if (user == null || user.isMissingNode() || user.isNull()) {
        continue;
      }
      if (!user.isObject()) {
        throw new ConfigException("", "the configuration must be an object (key: value pairs), got "
            + user.getNodeType().toString().toLowerCase(Locale.ROOT));
      }
      ConfigTypes.requireValues(user, "");
      overlay(merged, (ObjectNode) user);
    }
    ConfigTypes.check(merged, ModelConfig.class, "");
    return convert(merged, ModelConfig.class, "");
  }

  /** The configuration as YAML; keys whose value is "not given" ({@code null}) are left out. */
  public static String toYaml(ModelConfig config) {
    try {
      return YAML.writeValueAsString(withoutNulls(JSON.valueToTree(config)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write configuration", e);
    }
  }

  /** The configuration as JSON; keys whose value is "not given" ({@code null}) are left out. */
  public static String toJson(ModelConfig config) {
    try {
      return JSON.writeValueAsString(withoutNulls(JSON.valueToTree(config)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write configuration", e);
    }
  }

  /**
   * {@code tree} without its null values: a written {@code steps: null} would read back as a key
   * without a value, which {@link #parse} refuses; left out, the default (null) comes back.
   */
  private static JsonNode withoutNulls(JsonNode tree) {
    if (tree.isObject()) {
      var it = tree.fields();
      while (it.hasNext()) {
        var e = it.next();
        if (e.getValue().isNull()) {
          it.remove();
        } else {
          withoutNulls(e.getValue());
        }
      }
    } else if (tree.isArray()) {
      tree.forEach(ConfigLoader::withoutNulls);
    }
    return tree;
  }

  /** Writes {@code config} to {@code file}, YAML or JSON by extension. */
  public static void write(ModelConfig config, Path file) throws IOException {
    Files.writeString(file, isYaml(file) ? toYaml(config) : toJson(config));
  }

  /**
   * Binds a plugin's options, as written in a configuration, to its typed record: the given keys
   * override the provider's defaults.
   *
   * @param path where the options sit in the configuration, for messages ({@code
   *     denoise.options})
   * @throws ConfigException naming the key when an option is unknown or invalid
   */
  public static <O extends Record> O bind(Provider<O> provider, Map<String, Object> options, String path) {
    ObjectNode merged = JSON.valueToTree(provider.defaultOptions());
    ObjectNode given = JSON.valueToTree(options == null ? Map.of() : options);
    ConfigTypes.requireValues(given, path);
    overlay(merged, given);
    ConfigTypes.check(merged, provider.optionsType(), path);
    return convert(merged, provider.optionsType(), path);
  }

  /** Serialises an options record to the map form used in configuration files. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> optionsMap(Record options) {
    return JSON.convertValue(options, Map.class);
  }

  private static <T> T convert(JsonNode node, Class<T> type, String base) {
    try {
      return JSON.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(Object::toString)
          .collect(Collectors.toCollection(TreeSet::new)).toString();
      throw new ConfigException(join(base, path(e)), "unknown key; valid keys here: "
          + known.substring(1, Math.max(1, known.length() - 1)), e);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause();
      while (cause != null && !(cause instanceof IllegalArgumentException) && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof Check.InvalidValueException bad) {
        throw new ConfigException(join(join(base, path(e)), bad.key()), bad.problem(), e);
      }
      throw new ConfigException(join(base, path(e)), cause == null ? e.getOriginalMessage() : cause.getMessage(), e);
    } catch (InvalidFormatException e) {
      throw new ConfigException(join(base, path(e)), "expected " + simpleType(e.getTargetType()) + ", got '"
          + e.getValue() + "'", e);
    } catch (MismatchedInputException e) {
      throw new ConfigException(join(base, path(e)), "expected " + simpleType(e.getTargetType())
          + (e.getOriginalMessage().contains("null") ? ", got null" : ", got a value of another type"), e);
    } catch (JsonProcessingException e) {
      String p = e instanceof JsonMappingException m ? path(m) : "";
      throw new ConfigException(join(base, p), e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(base, e.getMessage(), e);
    }
  }

  /** Deep-merges {@code top} onto {@code base}; lists and scalars replace. */
  private static void overlay(ObjectNode base, ObjectNode top) {
    boolean renamedPlugin = top.has("name") && base.has("name") && base.has("options")
        && !top.get("name").equals(base.get("name"));
    if (renamedPlugin) {
      base.putObject("options"); // the default plugin's options mean nothing to another plugin
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode existing = base.get(e.getKey());
      if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode to) {
        overlay(eo, to);
      } else {
        base.set(e.getKey(), e.getValue());
      }
    }
  }

  /** {@code denoise.stages[2]} from Jackson's reference chain. */
  static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static String join(String a, String b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return b.startsWith("[") ? a + b : a + "." + b;
  }

  private static String simpleType(Class<?> t) {
    if (t == null) {
      return "another value";
    }
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return "an integer";
    }
    if (t == double.class || t == Double.class || t == float.class) {
      return "a number";
    }
    if (t == String.class) {
      return "a string";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "true or false";
    }
    if (java.util.List.class.isAssignableFrom(t)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(t)) {
      return "an object";
    }
    return "an object of " + t.getSimpleName();
  }

  private static boolean isYaml(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml");
  }

}
