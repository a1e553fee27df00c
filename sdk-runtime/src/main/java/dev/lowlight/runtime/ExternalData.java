package dev.lowlight.runtime;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.file.Path;

/**
 * Finds tensors an ONNX model keeps in external data files. A model opened from bytes has no
 * folder of its own, so ONNX Runtime would look for such files relative to the working directory:
 * a model given as bytes must be self-contained, and this check refuses the others before ONNX
 * Runtime sees them.
 */
final class ExternalData {

  private ExternalData() {}

  /**
   * Throws when {@code model} refers to external data, naming the first such tensor and its file.
   *
   * @throws ModelLoadException naming {@code name} when the bytes are not an ONNX model or use
   *     external data
   */
  static void refuse(byte[] model, Path name) {
    OnnxMl.ModelProto proto;
    try {
      proto = OnnxMl.ModelProto.parseFrom(model);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelLoadException(name, "not a valid ONNX model; the bytes may be corrupted or truncated ("
          + e.getMessage() + ")", e);
    }
    String found = inGraph(proto.getGraph());
    for (int i = 0; found == null && i < proto.getFunctionsCount(); i++) {
      found = inNodes(proto.getFunctions(i).getNodeList());
    }
    if (found != null) {
      throw new ModelLoadException(name, "it keeps tensor " + found + " in an external data file; a model given as"
          + " bytes must be self-contained (open it from its file, next to its data, instead)");
    }
  }

  /** The first external tensor of {@code g} and its subgraphs as {@code 'name' ('file')}, or null. */
  private static String inGraph(OnnxMl.GraphProto g) {
    for (OnnxMl.TensorProto t : g.getInitializerList()) {
      if (isExternal(t)) {
        return describe(t);
      }
    }
    for (OnnxMl.SparseTensorProto t : g.getSparseInitializerList()) {
      if (isExternal(t.getValues()) || isExternal(t.getIndices())) {
        return describe(t.getValues());
      }
    }
    return inNodes(g.getNodeList());
  }

  private static String inNodes(java.util.List<OnnxMl.NodeProto> nodes) {
    for (OnnxMl.NodeProto n : nodes) {
      for (OnnxMl.AttributeProto a : n.getAttributeList()) {
        String found = inAttribute(a);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static String inAttribute(OnnxMl.AttributeProto a) {
    if (a.hasT() && isExternal(a.getT())) {
      return describe(a.getT());
    }
    for (OnnxMl.TensorProto t : a.getTensorsList()) {
      if (isExternal(t)) {
        return describe(t);
      }
    }
    if (a.hasSparseTensor() && isExternal(a.getSparseTensor().getValues())) {
      return describe(a.getSparseTensor().getValues());
    }
    if (a.hasG()) {
      String found = inGraph(a.getG());
      if (found != null) {
        return found;
      }
    }
    for (OnnxMl.GraphProto g : a.getGraphsList()) {
      String found = inGraph(g);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static boolean isExternal(OnnxMl.TensorProto t) {
    return t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0;
  }

  private static String describe(OnnxMl.TensorProto t) {
    String file = t.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
        .map(OnnxMl.StringStringEntryProto::getValue).findFirst().orElse("no location given");
    return "'" + t.getName() + "' ('" + file + "')";
  }
}
