package dev.lowlight.model.export;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds batch normalisation into the convolution before it: {@code Conv(x, W, b) →
 * BatchNormalization(γ, β, μ, σ², ε)} becomes {@code Conv(x, W·s, (b − μ)·s + β)} with {@code s =
 * γ / sqrt(σ² + ε)} per output channel. A pair is folded only when every batch-norm input is an
 * initializer, the convolution's output feeds nothing else, and its weight (and bias) belong to
 * this convolution alone (the RPN head shares its weights across levels; those stay as they are).
 * The arithmetic is done in double and rounded once to float.
 *
 * <pre>{@code
 * BatchNormFolding.Result r = BatchNormFolding.fold(model);
 * r.model();   // the same function with r.folded() fewer nodes
 * }</pre>
 */
public final class BatchNormFolding {

  private BatchNormFolding() {}

  /**
   * The folded model and how many batch norms went.
   *
   * @param model the model after folding
   * @param folded number of {@code BatchNormalization} nodes folded away
   */
  public record Result(OnnxMl.ModelProto model, int folded) {}

  /** Folds every eligible {@code Conv → BatchNormalization} pair of the main graph. */
  public static Result fold(OnnxMl.ModelProto model) {
    OnnxMl.GraphProto graph = model.getGraph();
    Map<String, OnnxMl.TensorProto> init = new HashMap<>();
    for (OnnxMl.TensorProto t : graph.getInitializerList()) {
      init.put(t.getName(), t);
    }
    Map<String, Integer> uses = new HashMap<>();
    Map<String, Integer> producer = new HashMap<>();
    List<OnnxMl.NodeProto> nodes = graph.getNodeList();
    for (int i = 0; i < nodes.size(); i++) {
      for (String in : nodes.get(i).getInputList()) {
        uses.merge(in, 1, Integer::sum);
      }
      for (String out : nodes.get(i).getOutputList()) {
        producer.put(out, i);
      }
    }
    Set<String> graphOutputs = new HashSet<>();
    graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));

    List<OnnxMl.NodeProto> out = new ArrayList<>(nodes);
    Set<Integer> removed = new HashSet<>();
    Set<String> names = new HashSet<>(init.keySet());
    int folded = 0;
    for (int i = 0; i < nodes.size(); i++) {
      OnnxMl.NodeProto bn = nodes.get(i);
      if (!bn.getOpType().equals("BatchNormalization") || !bn.getDomain().isEmpty() || bn.getOutputCount() != 1
          || bn.getInputCount() != 5) {
        continue;
      }
      Integer convAt = producer.get(bn.getInput(0));
      if (convAt == null || removed.contains(convAt)) {
        continue;
      }
      OnnxMl.NodeProto conv = out.get(convAt);
      String convOut = bn.getInput(0);
      if (!conv.getOpType().equals("Conv") || !conv.getDomain().isEmpty() || uses.getOrDefault(convOut, 0) != 1
          || graphOutputs.contains(convOut) || conv.getInputCount() < 2) {
        continue;
      }
      String wName = conv.getInput(1);
      String bName = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty() ? conv.getInput(2) : null;
      if (!init.containsKey(wName) || uses.getOrDefault(wName, 0) != 1
          || (bName != null && (!init.containsKey(bName) || uses.getOrDefault(bName, 0) != 1))) {
        continue;
      }
      boolean constantStats = true;
      for (int k = 1; k < 5; k++) {
        constantStats &= init.containsKey(bn.getInput(k));
      }
      if (!constantStats) {
        continue;
      }
      float eps = 1e-5f;
      for (OnnxMl.AttributeProto a : bn.getAttributeList()) {
        if (a.getName().equals("epsilon")) {
          eps = a.getF();
        }
      }
      float[] w = floats(init.get(wName));
      int channels = init.get(wName).getDims(0) > Integer.MAX_VALUE ? -1 : (int) init.get(wName).getDims(0);
      float[] gamma = floats(init.get(bn.getInput(1)));
      float[] beta = floats(init.get(bn.getInput(2)));
      float[] mu = floats(init.get(bn.getInput(3)));
      float[] var = floats(init.get(bn.getInput(4)));
      if (channels < 1 || gamma.length != channels || beta.length != channels || mu.length != channels
          || var.length != channels || w.length % channels != 0) {
        continue;
      }
      float[] b = bName == null ? new float[channels] : floats(init.get(bName));
      int per = w.length / channels;
      float[] nw = new float[w.length];
      float[] nb = new float[channels];
      for (int c = 0; c < channels; c++) {
        // ε is added in float as the runtime does, then the scale is formed in double
        double s = gamma[c] / Math.sqrt((float) (var[c] + eps));
        for (int j = 0; j < per; j++) {
          nw[c * per + j] = (float) (w[c * per + j] * s);
        }
        nb[c] = (float) ((b[c] - (double) mu[c]) * s + beta[c]);
      }
      String newBias = bName != null ? bName : freshName(names, wName.endsWith(".weight")
          ? wName.substring(0, wName.length() - ".weight".length()) + ".bias" : wName + ".bias");
      init.put(wName, tensor(wName, nw, init.get(wName).getDimsList()));
      init.put(newBias, tensor(newBias, nb, List.of((long) channels)));
      OnnxMl.NodeProto.Builder nc = conv.toBuilder().clearInput().addInput(conv.getInput(0)).addInput(wName)
          .addInput(newBias).clearOutput().addOutput(bn.getOutput(0));
      out.set(convAt, nc.build());
      removed.add(i);
      for (int k = 1; k < 5; k++) {
        uses.merge(bn.getInput(k), -1, Integer::sum);
      }
      folded++;
    }
    if (folded == 0) {
      return new Result(model, 0);
    }
    OnnxMl.GraphProto.Builder gb = graph.toBuilder().clearNode().clearInitializer();
    for (int i = 0; i < out.size(); i++) {
      if (!removed.contains(i)) {
        gb.addNode(out.get(i));
      }
    }
    Set<String> needed = new HashSet<>();
    for (OnnxMl.NodeProto n : gb.getNodeList()) {
      needed.addAll(n.getInputList());
    }
    graphOutputs.forEach(needed::add);
    // keep the original order of initializers, with the folded values
    Set<String> written = new HashSet<>();
    for (OnnxMl.TensorProto t : graph.getInitializerList()) {
      if (needed.contains(t.getName())) {
        gb.addInitializer(init.get(t.getName()));
        written.add(t.getName());
      }
    }
    for (Map.Entry<String, OnnxMl.TensorProto> e : init.entrySet()) {
      if (!written.contains(e.getKey()) && needed.contains(e.getKey())) {
        gb.addInitializer(e.getValue());
      }
    }
    return new Result(model.toBuilder().setGraph(gb).build(), folded);
  }

  private static String freshName(Set<String> names, String hint) {
    String name = hint;
    for (int i = 1; names.contains(name); i++) {
      name = hint + "_" + i;
    }
    names.add(name);
    return name;
  }

  /** The values of a float tensor stored as raw little-endian data or as {@code float_data}. */
  static float[] floats(OnnxMl.TensorProto t) {
    if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
      throw new IllegalArgumentException("initializer '" + t.getName() + "' is not float32 (type "
          + t.getDataType() + ")");
    }
    if (!t.getRawData().isEmpty()) {
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      float[] v = new float[b.remaining() / 4];
      b.asFloatBuffer().get(v);
      return v;
    }
    float[] v = new float[t.getFloatDataCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.getFloatData(i);
    }
    return v;
  }

  private static OnnxMl.TensorProto tensor(String name, float[] values, List<Long> dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(dims).setRawData(ByteString.copyFrom(b.array())).build();
  }
}
