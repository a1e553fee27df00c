package dev.lowlight.api.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one node: set attributes, then {@link #output()} or {@link #outputs(int)} adds the node
 * to the graph and returns the names of its outputs.
 *
 * <pre>{@code
 * String y = scope.node("Conv").input(x).input(w).attr("pads", 1, 1, 1, 1).output();
 * }</pre>
 */
public final class OnnxNodeBuilder {

  private final OnnxScope scope;
  private final OnnxMl.NodeProto.Builder node;

  OnnxNodeBuilder(OnnxScope scope, String opType, String domain) {
    this.scope = scope;
    this.node = OnnxMl.NodeProto.newBuilder().setOpType(opType).setName(scope.uniqueName(opType));
    if (domain != null && !domain.isEmpty()) {
      node.setDomain(domain);
    }
  }

  /** Appends inputs; an empty string marks an omitted optional input. */
  public OnnxNodeBuilder input(String... names) {
    for (String n : names) {
      node.addInput(n);
    }
    return this;
  }

  /** Appends inputs. */
  public OnnxNodeBuilder inputs(List<String> names) {
    names.forEach(node::addInput);
    return this;
  }

  /** An integer attribute. */
  public OnnxNodeBuilder attr(String name, long value) {
    node.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value));
    return this;
  }

  /** A list-of-integers attribute. */
  public OnnxNodeBuilder attr(String name, long... values) {
    OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    node.addAttribute(a);
    return this;
  }

  /** A float attribute. */
  public OnnxNodeBuilder attr(String name, float value) {
    node.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(value));
    return this;
  }

  /** A list-of-floats attribute. */
  public OnnxNodeBuilder attrFloats(String name, float... values) {
    OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
    for (float v : values) {
      a.addFloats(v);
    }
    node.addAttribute(a);
    return this;
  }

  /** A string attribute. */
  public OnnxNodeBuilder attr(String name, String value) {
    node.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)));
    return this;
  }

  /** A tensor attribute (for {@code Constant} and {@code ConstantOfShape}). */
  public OnnxNodeBuilder attr(String name, OnnxMl.TensorProto value) {
    node.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(value));
    return this;
  }

  /** A graph attribute (for {@code If} and {@code Loop} bodies). */
  public OnnxNodeBuilder attr(String name, OnnxMl.GraphProto value) {
    node.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.GRAPH).setG(value));
    return this;
  }

  /** Adds the node with one output and returns its name. */
  public String output() {
    return outputs(1).get(0);
  }

  /** Adds the node with {@code count} outputs and returns their names. */
  public List<String> outputs(int count) {
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(scope.uniqueName(node.getOpType() + "_out"));
    }
    return outputsNamed(names.toArray(String[]::new));
  }

  /** Adds the node writing to the given output names (for graph outputs with fixed names). */
  public List<String> outputsNamed(String... names) {
    Arrays.stream(names).forEach(node::addOutput);
    scope.graph().addNode(node.build());
    return List.of(names);
  }
}
