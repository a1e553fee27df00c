package dev.lowlight.api.onnx;

import ai.onnx.proto.OnnxMl;
import dev.lowlight.api.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Builds one ONNX model: opset {@value #OPSET}, IR version {@value #IR_VERSION}.
 *
 * <pre>{@code
 * OnnxGraphBuilder g = new OnnxGraphBuilder("lowlight");
 * String x = g.input("image", OnnxType.FLOAT, Dim.of(1), Dim.of(3), Dim.dynamic("H"), Dim.dynamic("W"));
 * List<String> y = block.lower(g.scope("backbone"), List.of(x));
 * g.output(y.get(0), "features", OnnxType.FLOAT);
 * byte[] model = g.toBytes();
 * }</pre>
 */
public final class OnnxGraphBuilder {

  /** The default-domain opset every lowlight graph targets. */
  public static final int OPSET = 17;

  /** The ONNX IR version written in the model. */
  public static final int IR_VERSION = 8;

  private final OnnxMl.GraphProto.Builder graph;
  private final Set<String> used = new HashSet<>();
  private final Map<String, Integer> nextSuffix = new HashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final Map<String, Integer> extraDomains = new LinkedHashMap<>();
  private String producerVersion = dev.lowlight.api.LowlightVersion.api();

  /** A builder for a graph called {@code name}. */
  public OnnxGraphBuilder(String name) {
    this.graph = OnnxMl.GraphProto.newBuilder().setName(name);
  }

  /** The root scope, with an empty prefix. */
  public OnnxScope root() {
    return new OnnxScope(this, "");
  }

  /** A scope whose initializers are prefixed with {@code prefix}. */
  public OnnxScope scope(String prefix) {
    return new OnnxScope(this, prefix);
  }

  /** Declares a graph input and returns its name. */
  public String input(String name, OnnxType type, Dim... dims) {
    claim(name);
    graph.addInput(valueInfo(name, type, dims));
    return name;
  }

  /**
   * Declares {@code value} as the graph output {@code name}; an {@code Identity} renames it when
   * the two differ. {@code dims} may be empty when the rank is not to be declared.
   */
  public void output(String value, String name, OnnxType type, Dim... dims) {
    if (!value.equals(name)) {
      claim(name);
      root().node("Identity").input(value).outputsNamed(name);
    }
    graph.addOutput(valueInfo(name, type, dims));
  }

  /** Adds a key/value pair to the model's {@code metadata_props}. */
  public OnnxGraphBuilder metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Declares an extra operator domain, such as {@code com.microsoft} version 1. */
  public OnnxGraphBuilder useDomain(String domain, int version) {
    extraDomains.put(domain, version);
    return this;
  }

  /** Overrides the producer version written in the model (the SDK version by default). */
  public OnnxGraphBuilder producerVersion(String version) {
    this.producerVersion = version;
    return this;
  }

  /** The model so far. */
  public OnnxMl.ModelProto build() {
    OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("lowlight")
        .setProducerVersion(producerVersion)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph.build());
    extraDomains.forEach((d, v) -> m.addOpsetImport(
        OnnxMl.OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
    metadata.forEach((k, v) -> m.addMetadataProps(
        OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  /** The serialised {@code ModelProto}. */
  public byte[] toBytes() {
    return build().toByteArray();
  }

  /**
   * Writes the model to {@code file} through a temporary file in the same directory, synced and
   * renamed, so a crash never leaves a truncated model behind.
   */
  public void save(Path file) throws IOException {
    OnnxMl.ModelProto model = build();
    AtomicFiles.write(file, model::writeTo);
  }

  void addNode(OnnxMl.NodeProto node) {
    graph.addNode(node);
  }

  /** Adds an initializer whose name came from {@link #uniqueName} and is already reserved. */
  void addReservedInitializer(OnnxMl.TensorProto tensor) {
    graph.addInitializer(tensor);
  }

  void addInitializer(OnnxMl.TensorProto tensor) {
    if (used.contains(tensor.getName())) {
      throw new IllegalStateException("initializer '" + tensor.getName()
          + "' is defined twice; two blocks lowered into the same scope?");
    }
    claim(tensor.getName());
    graph.addInitializer(tensor);
  }

  String uniqueName(String hint) {
    String name = hint;
    if (used.contains(name)) {
      int i = nextSuffix.getOrDefault(hint, 0);
      do {
        name = hint + "_" + (++i);
      } while (used.contains(name));
      nextSuffix.put(hint, i);
    }
    used.add(name);
    return name;
  }

  private void claim(String name) {
    if (!used.add(name)) {
      throw new IllegalStateException("value name '" + name + "' is already used in the graph");
    }
  }

  private static OnnxMl.ValueInfoProto valueInfo(String name, OnnxType type, Dim... dims) {
    OnnxMl.TypeProto.Tensor.Builder t = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.code());
    if (dims.length > 0) {
      OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
      for (Dim d : dims) {
        OnnxMl.TensorShapeProto.Dimension.Builder db = OnnxMl.TensorShapeProto.Dimension.newBuilder();
        if (d.isDynamic()) {
          db.setDimParam(d.name());
        } else {
          db.setDimValue(d.value());
        }
        s.addDim(db);
      }
      t.setShape(s);
    }
    return OnnxMl.ValueInfoProto.newBuilder().setName(name)
        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(t)).build();
  }
}
