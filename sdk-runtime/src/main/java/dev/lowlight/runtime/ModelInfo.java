package dev.lowlight.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a lowlight model file declares, checked against the ONNX contract (DESIGN.md): one input
 * {@value #INPUT} (float {@code 1x3xHxW}, RGB in {@code [0, 1]}, H and W dynamic or fixed) and the
 * outputs {@value #BOXES} (float {@code Nx4}), {@value #LABELS} (int64 {@code N}), {@value #SCORES}
 * (float {@code N}) and {@value #MASKS} (float {@code Nx1xSxS}); metadata {@code class_names}
 * (JSON list, index = label), {@code config}, {@code sdk_version}, {@code export_date} and {@code
 * lowlight_contract}.
 *
 * @param file the model file
 * @param staticHeight the input height when the graph fixes it, else 0
 * @param staticWidth the input width when the graph fixes it, else 0
 * @param classNames class names by label (index 0 is the background)
 * @param metadata every {@code metadata_props} entry
 */
public record ModelInfo(Path file, int staticHeight, int staticWidth, List<String> classNames,
    Map<String, String> metadata) {

  /** Name of the image input. */
  public static final String INPUT = "image";
  /** Name of the boxes output. */
  public static final String BOXES = "boxes";
  /** Name of the labels output. */
  public static final String LABELS = "labels";
  /** Name of the scores output. */
  public static final String SCORES = "scores";
  /** Name of the masks output. */
  public static final String MASKS = "masks";
  /** The contract version this runtime reads. */
  public static final String CONTRACT_VERSION = "1";
  /** Metadata key of the contract version. */
  public static final String CONTRACT_KEY = "lowlight_contract";
  /** Metadata key of the class names. */
  public static final String CLASS_NAMES_KEY = "class_names";

  private static final Logger LOG = LoggerFactory.getLogger(ModelInfo.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the collections. */
  public ModelInfo {
    classNames = List.copyOf(classNames);
    metadata = Map.copyOf(metadata);
  }

  /** Whether the graph takes images of any size. */
  public boolean isDynamic() {
    return staticHeight == 0;
  }

  /** The name of class {@code label}, or {@code class_<label>} when the metadata has none. */
  public String className(int label) {
    return label >= 0 && label < classNames.size() ? classNames.get(label) : "class_" + label;
  }

  /** The SDK version that exported the model, or {@code "unknown"}. */
  public String sdkVersion() {
    return metadata.getOrDefault("sdk_version", "unknown");
  }

  /**
   * Reads and checks what {@code session} declares.
   *
   * @throws ModelLoadException naming the file and every way the model differs from the contract
   */
  static ModelInfo of(Path file, OrtSession session) {
    Map<String, NodeInfo> inputs;
    Map<String, NodeInfo> outputs;
    Map<String, String> meta;
    try {
      inputs = session.getInputInfo();
      outputs = session.getOutputInfo();
      meta = new TreeMap<>(session.getMetadata().getCustomMetadata());
    } catch (OrtException e) {
      throw new ModelLoadException(file, "ONNX Runtime cannot describe its inputs and outputs: " + e.getMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    long[] image = check(inputs, INPUT, OnnxJavaType.FLOAT, 4, "input", problems);
    if (inputs.size() > 1) {
      problems.add("it has " + inputs.size() + " inputs, the contract has one ('image')");
    }
    if (image != null && ((image[0] > 1) || (image[1] >= 0 && image[1] != 3))) {
      problems.add("input 'image' has shape " + Arrays.toString(image) + ", expected [1, 3, H, W]");
    }
    check(outputs, BOXES, OnnxJavaType.FLOAT, 2, "output", problems);
    check(outputs, LABELS, OnnxJavaType.INT64, 1, "output", problems);
    check(outputs, SCORES, OnnxJavaType.FLOAT, 1, "output", problems);
    check(outputs, MASKS, OnnxJavaType.FLOAT, 4, "output", problems);
    if (!problems.isEmpty()) {
      throw new ModelLoadException(file, "not a lowlight model (exported by another tool?): "
          + String.join("; ", problems) + ". It declares inputs " + describe(inputs) + " and outputs "
          + describe(outputs) + "; a lowlight model takes 'image' float[1,3,H,W] and gives 'boxes' float[N,4],"
          + " 'labels' int64[N], 'scores' float[N], 'masks' float[N,1,28,28]");
    }
    String contract = meta.get(CONTRACT_KEY);
    if (contract == null) {
      LOG.warn("model {} has no '{}' metadata; reading it as contract version {}", file, CONTRACT_KEY,
          CONTRACT_VERSION);
    } else if (!CONTRACT_VERSION.equals(contract.trim())) {
      throw new ModelLoadException(file, "it follows lowlight contract version " + contract
          + ", this runtime reads version " + CONTRACT_VERSION + " (use the SDK version that exported it: "
          + meta.getOrDefault("sdk_version", "unknown") + ")");
    }
    List<String> names = List.of();
    String json = meta.get(CLASS_NAMES_KEY);
    if (json != null) {
      try {
        names = JSON.readValue(json, new TypeReference<List<String>>() {});
      } catch (Exception e) {
        throw new ModelLoadException(file, "metadata '" + CLASS_NAMES_KEY + "' is not a JSON list of strings: "
            + abbreviate(json), e);
      }
    } else {
      LOG.warn("model {} has no '{}' metadata; classes are named class_<label>", file, CLASS_NAMES_KEY);
    }
    int h = image[2] > 0 ? (int) image[2] : 0;
    int w = image[3] > 0 ? (int) image[3] : 0;
    if ((h == 0) != (w == 0)) {
      // One fixed side and one free side is not a shape the exporter writes; resize both.
      throw new ModelLoadException(file, "input 'image' has shape " + Arrays.toString(image)
          + ": H and W must both be fixed or both dynamic");
    }
    return new ModelInfo(file, h, w, names, meta);
  }

  private static long[] check(Map<String, NodeInfo> infos, String name, OnnxJavaType type, int rank,
      String what, List<String> problems) {
    NodeInfo node = infos.get(name);
    if (node == null) {
      problems.add(what + " '" + name + "' is missing");
      return null;
    }
    if (!(node.getInfo() instanceof TensorInfo t)) {
      problems.add(what + " '" + name + "' is not a tensor");
      return null;
    }
    if (t.type != type) {
      problems.add(what + " '" + name + "' is " + t.type + ", expected " + type);
      return null;
    }
    long[] shape = t.getShape();
    if (shape.length != rank) {
      problems.add(what + " '" + name + "' has rank " + shape.length + " " + Arrays.toString(shape)
          + ", expected rank " + rank);
      return null;
    }
    return shape;
  }

  private static String describe(Map<String, NodeInfo> infos) {
    List<String> out = new ArrayList<>();
    infos.forEach((n, i) -> {
      if (i.getInfo() instanceof TensorInfo t) {
        out.add("'" + n + "' " + t.type + Arrays.toString(t.getShape()));
      } else {
        out.add("'" + n + "' " + i.getInfo());
      }
    });
    return out.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
