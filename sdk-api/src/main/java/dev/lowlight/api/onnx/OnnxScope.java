package dev.lowlight.api.onnx;

import ai.djl.ndarray.NDArray;
import ai.onnx.proto.OnnxMl;

/**
 * A naming scope inside an {@link OnnxGraphBuilder}: initializers are named {@code prefix.name},
 * nodes and intermediate values get names unique in the whole graph. A block lowers itself into
 * the scope its parent gives it and hands {@link #child(String)} scopes to its own children, so
 * the initializer names follow the parameter paths ({@code backbone.body.layer1.0.conv1.weight}).
 */
public final class OnnxScope {

  private final OnnxGraphBuilder graph;
  private final String prefix;

  OnnxScope(OnnxGraphBuilder graph, String prefix) {
    this.graph = graph;
    this.prefix = prefix;
  }

  /** The dotted parameter path of this scope; empty at the root. */
  public String prefix() {
    return prefix;
  }

  /** The scope of child {@code name}: prefix {@code this.prefix + "." + name}. */
  public OnnxScope child(String name) {
    return new OnnxScope(graph, qualify(name));
  }

  /** The graph being built. */
  public OnnxGraphBuilder graph() {
    return graph;
  }

  /** Starts a node of the default domain. */
  public OnnxNodeBuilder node(String opType) {
    return new OnnxNodeBuilder(this, opType, null);
  }

  /** Starts a node of another operator domain (for example {@code com.microsoft}). */
  public OnnxNodeBuilder node(String opType, String domain) {
    return new OnnxNodeBuilder(this, opType, domain);
  }

  /**
   * Adds {@code array} (copied) as the initializer {@code prefix.name} and returns that name.
   * Names must be unique in the graph, as parameter names are in a model.
   */
  public String parameter(String name, NDArray array) {
    String full = qualify(name);
    graph.addInitializer(OnnxTensors.fromNDArray(full, array));
    return full;
  }

  /** Adds a float constant with a unique name. */
  public String constant(float[] values, long... dims) {
    String name = uniqueName("const");
    graph.addReservedInitializer(OnnxTensors.floats(name, values, dims));
    return name;
  }

  /** Adds an int64 constant with a unique name. */
  public String constant(long[] values, long... dims) {
    String name = uniqueName("const");
    graph.addReservedInitializer(OnnxTensors.longs(name, values, dims));
    return name;
  }

  /** A 1-D int64 constant, the usual operand of {@code Reshape}, {@code Slice} and friends. */
  public String longs(long... values) {
    return constant(values, values.length);
  }

  /** A scalar float constant. */
  public String scalar(float value) {
    return constant(new float[] {value});
  }

  /** A scalar int64 constant. */
  public String scalar(long value) {
    return constant(new long[] {value});
  }

  /** Adds an already-built tensor as an initializer. */
  public String initializer(OnnxMl.TensorProto tensor) {
    graph.addInitializer(tensor);
    return tensor.getName();
  }

  /** A name unique in the graph, derived from this scope and {@code hint}. */
  public String uniqueName(String hint) {
    return graph.uniqueName(qualify(hint));
  }

  private String qualify(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }
}
