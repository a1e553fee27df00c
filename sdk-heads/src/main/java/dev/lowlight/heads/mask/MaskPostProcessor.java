package dev.lowlight.heads.mask;

import dev.lowlight.api.onnx.GraphOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;

/**
 * torchvision's {@code maskrcnn_inference}: the mask logits of each detection's predicted class,
 * through a sigmoid.
 *
 * <pre>{@code
 * NDArray probs = MaskPostProcessor.probabilities(maskLogits, labels);   // [R,1,28,28]
 * }</pre>
 */
public final class MaskPostProcessor {

  private MaskPostProcessor() {}

  /** {@code [R,K,M,M]} logits and R labels to {@code [R,1,M,M]} probabilities. */
  public static NDArray probabilities(NDArray maskLogits, int[] labels) {
    long r = maskLogits.getShape().get(0);
    if (labels.length != r) {
      throw new IllegalArgumentException("need one label per mask: " + r + " masks, " + labels.length + " labels");
    }
    long k = maskLogits.getShape().get(1);
    long[] idx = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new IllegalArgumentException("label " + labels[i] + " of mask " + i + " is outside [0, " + (k - 1) + "]");
      }
      idx[i] = i * k + labels[i];
    }
    long m1 = maskLogits.getShape().get(2);
    long m2 = maskLogits.getShape().get(3);
    NDArray flat = maskLogits.reshape(r * k, m1, m2);
    NDArray sel = flat.get(new NDIndex("{}", maskLogits.getManager().create(idx).toDevice(maskLogits.getDevice(),
        false)));
    return Activation.sigmoid(sel).reshape(r, 1, m1, m2);
  }

  /**
   * Graph form of {@link #probabilities(NDArray, int[])}: {@code [R,K,M,M]} logits and R int64
   * labels to {@code [R,1,M,M]} probabilities.
   */
  public static String lower(GraphOps g, String maskLogits, String labels, int numClasses) {
    String side = g.slice(g.shape(maskLogits), 2, 4, 0);
    String planes = g.op("Reshape", maskLogits, g.concat(0, g.longs(-1), side));
    String count = g.at(g.shape(labels), 0);
    String index = g.add(g.mul(g.range(count), g.l(numClasses)), labels);
    return g.op("Sigmoid", g.unsqueeze(g.gather(planes, index, 0), 1));
  }

  /** Plain-Java form: {@code [R,K,M,M]} logits (row-major) to {@code [R,M,M]} probabilities. */
  public static float[] probabilities(float[] maskLogits, int numClasses, int side, int[] labels) {
    int plane = side * side;
    float[] out = new float[labels.length * plane];
    for (int i = 0; i < labels.length; i++) {
      int from = (i * numClasses + labels[i]) * plane;
      for (int j = 0; j < plane; j++) {
        out[i * plane + j] = (float) (1.0 / (1.0 + Math.exp(-maskLogits[from + j])));
      }
    }
    return out;
  }
}
