package dev.lowlight.model.io;

import dev.lowlight.api.io.AtomicFiles;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowlight.api.config.BoundPlugin;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.weights.NonFiniteWeights;
import dev.lowlight.model.weights.Safetensors;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.StateDictExporter;
import dev.lowlight.model.weights.StateDictLoader;
import dev.lowlight.model.weights.StateDictMismatchException;
import dev.lowlight.model.weights.WeightsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK's model directory: everything needed to rebuild a trained or imported model.
 *
 * <pre>
 * DIR/config.yaml        the ModelConfig (plugins, options, class names), as ConfigLoader writes it
 * DIR/model.safetensors  every parameter under torchvision's names; metadata: SDK version, plugins, class names
 * DIR/model.json         a description of the same for tools and people (format, versions, plugins, classes)
 * </pre>
 *
 * Loading is strict: every parameter of the model the configuration builds must be in the weights
 * with the same shape, and nothing else may be there; any difference is an error naming the file
 * and listing the keys, as PyTorch's {@code load_state_dict(strict=True)} does.
 *
 * <pre>{@code
 * ModelDirectory.save(model, Path.of("runs/wnlb"));
 * try (NDManager manager = NDManager.newBaseManager()) {
 *   MaskRcnn again = ModelDirectory.load(Path.of("runs/wnlb"), PluginRegistry.load(), manager);
 * }
 * }</pre>
 */
public final class ModelDirectory {

  /** The configuration file's name. */
  public static final String CONFIG = "config.yaml";
  /** The weights file's name. */
  public static final String WEIGHTS = "model.safetensors";
  /** The description file's name. */
  public static final String DESCRIPTION = "model.json";
  /** The value of {@code format} in {@code model.json}. */
  public static final String FORMAT = "lowlight-model";
  /** The version of this layout. */
  public static final int FORMAT_VERSION = 1;
  /** The SDK version written into new directories (the jar's, or the project's when run from classes). */
  public static final String SDK_VERSION = sdkVersion();

  /** Safetensors metadata keys. */
  static final String META_SDK = "lowlight.sdk_version";
  static final String META_PLUGINS = "lowlight.plugins";
  static final String META_CLASSES = "lowlight.class_names";
  static final String META_NUM_CLASSES = "lowlight.num_classes";

  private static final Logger LOG = LoggerFactory.getLogger(ModelDirectory.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Metadata values are one-line JSON. */
  private static final ObjectMapper COMPACT = new ObjectMapper();

  /**
   * What {@code model.json} says.
   *
   * @param formatVersion the layout version
   * @param sdkVersion the SDK that wrote it
   * @param numClasses classes including background
   * @param classNames names of classes 1..numClasses-1 (may be empty)
   * @param plugins configuration path → "name version" of each plugin
   * @param parameters number of tensors in the weights file
   * @param extra other string entries ({@code source}, ...)
   */
  public record Info(int formatVersion, String sdkVersion, int numClasses, List<String> classNames,
      Map<String, String> plugins, int parameters, Map<String, String> extra) {}

  private ModelDirectory() {}

  /** Writes {@code model} (initialised) into {@code dir}, creating it. */
  public static void save(MaskRcnn model, Path dir) throws IOException {
    save(model, dir, Map.of());
  }

  /**
   * Writes {@code model} (initialised) into {@code dir}, creating it; {@code extra} entries (e.g.
   * {@code source}) go into {@code model.json} and the weights' metadata. Each file is written to
   * a temporary file and renamed, so an interrupted save never leaves a half file.
   */
  public static void save(MaskRcnn model, Path dir, Map<String, String> extra) throws IOException {
    Files.createDirectories(dir);
    ModelConfig config = model.config();
    Map<String, String> plugins = plugins(model);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(META_SDK, SDK_VERSION);
    meta.put(META_PLUGINS, COMPACT.writeValueAsString(plugins));
    meta.put(META_CLASSES, COMPACT.writeValueAsString(config.classNames()));
    meta.put(META_NUM_CLASSES, Integer.toString(config.numClasses()));
    extra.forEach((k, v) -> meta.put("lowlight." + k, v));
    StateDict sd = StateDictExporter.export(model.parameters(), "", meta);

    ObjectNode json = JSON.createObjectNode();
    json.put("format", FORMAT);
    json.put("format_version", FORMAT_VERSION);
    json.put("sdk_version", SDK_VERSION);
    json.put("config", CONFIG);
    json.put("weights", WEIGHTS);
    json.put("num_classes", config.numClasses());
    ArrayNode names = json.putArray("class_names");
    config.classNames().forEach(names::add);
    ObjectNode p = json.putObject("plugins");
    plugins.forEach(p::put);
    // the jar each plugin came from, so that loading without it can say which jar to add
    ObjectNode jars = json.putObject("plugin_jars");
    pluginJars(model).forEach(jars::put);
    json.put("parameters", sd.size());
    json.put("parameter_values", sd.numel());
    extra.forEach(json::put);

    writeAtomically(dir.resolve(CONFIG), ConfigLoader.toYaml(config));
    Safetensors.write(sd, dir.resolve(WEIGHTS));
    writeAtomically(dir.resolve(DESCRIPTION), JSON.writeValueAsString(json) + "\n");
    LOG.info("saved model ({} tensors, {} classes) to {}", sd.size(), config.numClasses(), dir);
  }

  /** {@link #load(Path, PluginRegistry, NDManager)} with the classpath's plugins. */
  public static MaskRcnn load(Path dir, NDManager manager) throws IOException {
    return load(dir, PluginRegistry.load(), manager);
  }

  /**
   * Rebuilds the model of {@code dir} with plugins from {@code registry} and loads its weights
   * strictly; the parameters live in {@code manager}, which must outlive the model.
   *
   * @throws ModelDirectoryException naming the file when one is missing, corrupt, or when the
   *     weights do not match the model the configuration builds
   * @throws dev.lowlight.api.config.ConfigException naming {@code config.yaml} and the key when
   *     the configuration is invalid or names an unknown plugin
   */
  public static MaskRcnn load(Path dir, PluginRegistry registry, NDManager manager) throws IOException {
    return load(dir, registry, manager, false);
  }

  /**
   * {@link #load(Path, PluginRegistry, NDManager)}, optionally accepting weights that are NaN or
   * infinite (for debugging a diverged run); by default they are an error naming the tensor.
   */
  public static MaskRcnn load(Path dir, PluginRegistry registry, NDManager manager, boolean allowNonFinite)
      throws IOException {
    ModelConfig config = config(dir);
    Path weightsFile = dir.resolve(WEIGHTS);
    Info info = Files.exists(dir.resolve(DESCRIPTION)) ? info(dir) : null;
    if (info == null) {
      LOG.warn("{}: no {}; loading {} and {} only", dir, DESCRIPTION, CONFIG, WEIGHTS);
    } else {
      checkClasses(dir.resolve(DESCRIPTION), info.numClasses(), info.classNames(), config, dir);
    }
    if (!Files.isRegularFile(weightsFile)) {
      throw new ModelDirectoryException(weightsFile, "missing; a model directory holds " + CONFIG + ", " + WEIGHTS
          + " and " + DESCRIPTION);
    }
    StateDict sd;
    try {
      sd = Safetensors.read(weightsFile);
    } catch (WeightsException e) {
      throw new ModelDirectoryException(weightsFile, "not a valid safetensors file: " + e.getMessage(), e);
    }
    String metaClasses = sd.metadata().get(META_CLASSES);
    if (metaClasses != null) {
      List<String> names;
      try {
        names = JSON.readValue(metaClasses, new TypeReference<List<String>>() {});
      } catch (JsonProcessingException e) {
        throw new ModelDirectoryException(weightsFile, "metadata " + META_CLASSES + " is not a JSON list of names");
      }
      String n = sd.metadata().get(META_NUM_CLASSES);
      checkClasses(weightsFile, n == null ? config.numClasses() : parseInt(weightsFile, n), names, config, dir);
    }
    String nonFinite = allowNonFinite ? null : NonFiniteWeights.problem(sd);
    if (nonFinite != null) {
      throw new ModelDirectoryException(weightsFile, nonFinite);
    }
    MaskRcnn model;
    try {
      model = MaskRcnn.builder().setConfig(config).optRegistry(registry).build().initialize(manager);
    } catch (dev.lowlight.api.config.ConfigException e) {
      throw missingPlugin(dir, e);
    }
    try {
      StateDictLoader.load(model.parameters(), sd, "", true);
    } catch (StateDictMismatchException e) {
      throw new ModelDirectoryException(weightsFile, "does not match the model " + dir.resolve(CONFIG)
          + " builds:\n" + e.report().describe(), e);
    }
    return model;
  }

  /** Loads only {@code config.yaml} of {@code dir}. */
  public static ModelConfig config(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ModelDirectoryException(dir, Files.exists(dir) ? "is a file, not a model directory"
          : "no such model directory");
    }
    Path configFile = dir.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new ModelDirectoryException(configFile, "missing; a model directory holds " + CONFIG + ", " + WEIGHTS
          + " and " + DESCRIPTION);
    }
    return ConfigLoader.load(configFile);
  }

  /** Reads {@code model.json} of {@code dir}. */
  public static Info info(Path dir) throws IOException {
    Path file = dir.resolve(DESCRIPTION);
    if (!Files.isRegularFile(file)) {
      throw new ModelDirectoryException(file, "missing");
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new ModelDirectoryException(file, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw new ModelDirectoryException(file, "not a lowlight model description (expected \"format\": \"" + FORMAT
          + "\")");
    }
    int version = root.path("format_version").asInt(-1);
    if (version < 1 || version > FORMAT_VERSION) {
      throw new ModelDirectoryException(file, "format_version " + root.path("format_version")
          + " is not supported by this SDK (supports 1.." + FORMAT_VERSION + ")");
    }
    if (!root.path("num_classes").canConvertToInt()) {
      throw new ModelDirectoryException(file, "num_classes is missing or not an integer");
    }
    List<String> names = new ArrayList<>();
    root.path("class_names").forEach(n -> names.add(n.asText()));
    Map<String, String> plugins = new LinkedHashMap<>();
    root.path("plugins").fields().forEachRemaining(e -> plugins.put(e.getKey(), e.getValue().asText()));
    Map<String, String> extra = new LinkedHashMap<>();
    List<String> known = List.of("format", "format_version", "sdk_version", "config", "weights", "num_classes",
        "class_names", "plugins", "plugin_jars", "parameters", "parameter_values");
    root.fields().forEachRemaining(e -> {
      if (!known.contains(e.getKey()) && e.getValue().isValueNode()) {
        extra.put(e.getKey(), e.getValue().asText());
      }
    });
    return new Info(version, root.path("sdk_version").asText(), root.path("num_classes").asInt(), names, plugins,
        root.path("parameters").asInt(), extra);
  }

  /**
   * The error for a configuration this runtime cannot build, naming the directory and, for a
   * plugin that is not on the class path, the jar it was saved with.
   */
  private static ModelDirectoryException missingPlugin(Path dir, dev.lowlight.api.config.ConfigException e) {
    String problem = e.getMessage();
    String path = e.path().endsWith(".name") ? e.path().substring(0, e.path().length() - ".name".length()) : null;
    if (path != null && problem.contains("unknown") && Files.exists(dir.resolve(DESCRIPTION))) {
      try {
        JsonNode root = JSON.readTree(Files.readString(dir.resolve(DESCRIPTION)));
        String plugin = root.path("plugins").path(path).asText("");
        String jar = root.path("plugin_jars").path(path).asText("");
        if (!plugin.isEmpty()) {
          return new ModelDirectoryException(dir, "needs the " + path + " plugin " + plugin
              + (jar.isEmpty() ? "" : " from " + jar) + ", which is not on the class path; add its jar"
              + " (LOWLIGHT_CLASSPATH=" + (jar.isEmpty() ? "plugin.jar" : "/path/to/" + jar) + " bin/lowlight ...)."
              + " " + CONFIG + ": " + problem, e);
        }
      } catch (IOException ignored) {
        // model.json unreadable: the plain message below still names the directory
      }
    }
    return new ModelDirectoryException(dir.resolve(CONFIG), problem, e);
  }

  /** The file name of the jar each plugin of {@code model} came from, by configuration path. */
  static Map<String, String> pluginJars(MaskRcnn model) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, BoundPlugin> e : model.plugins().entrySet()) {
      String source = e.getValue().descriptor().source();
      Path p = source.contains(" ") && !Files.exists(Path.of(source)) ? null : Path.of(source);
      if (p != null && p.getFileName() != null && p.getFileName().toString().endsWith(".jar")) {
        out.put(e.getKey(), p.getFileName().toString());
      }
    }
    return out;
  }

  /** "name version" of each plugin of {@code model}, by configuration path. */
  static Map<String, String> plugins(MaskRcnn model) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, BoundPlugin> e : model.plugins().entrySet()) {
      out.put(e.getKey(), e.getValue().descriptor().name() + " " + e.getValue().descriptor().version());
    }
    return out;
  }

  private static void checkClasses(Path file, int numClasses, List<String> names, ModelConfig config, Path dir)
      throws ModelDirectoryException {
    if (numClasses != config.numClasses() || !names.equals(config.classNames())) {
      throw new ModelDirectoryException(file, "classes differ from " + dir.resolve(CONFIG) + ": " + numClasses + " "
          + names + " here, " + config.numClasses() + " " + config.classNames() + " there");
    }
  }

  private static int parseInt(Path file, String v) throws ModelDirectoryException {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ModelDirectoryException(file, "metadata " + META_NUM_CLASSES + " is not an integer: " + v);
    }
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    AtomicFiles.write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String sdkVersion() {
    String v = MaskRcnn.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0" : v;
  }
}
