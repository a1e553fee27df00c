package dev.lowlight.data.transform;

import dev.lowlight.api.onnx.GraphOps;

/**
 * torchvision's detection resize rule: scale so that the shorter side becomes {@code minSize},
 * unless the longer side would exceed {@code maxSize}, in which case the longer side becomes
 * {@code maxSize}. Output sides are {@code floor(side * scale)}, computed in double precision as
 * PyTorch's {@code interpolate(scale_factor=..., recompute_scale_factor=True)} does. The scale
 * itself is float32 and written as torchvision evaluates {@code min_size / torch.tensor(side)}:
 * {@code reciprocal(side) * min_size}. {@link #lowerResizedSize} writes the same arithmetic into a
 * graph, so eager inference and the exported model always agree on the size.
 *
 * @param minSize target of the shorter side
 * @param maxSize cap of the longer side
 */
public record ResizeRule(int minSize, int maxSize) {

  public ResizeRule {
    if (minSize < 1 || maxSize < minSize) {
      throw new IllegalArgumentException("need 1 <= min_size <= max_size, got min_size=" + minSize + ", max_size=" + maxSize);
    }
  }

  /** The scale applied to an image of {@code height × width}. */
  public double scale(int height, int width) {
    float shorter = Math.min(height, width);
    float longer = Math.max(height, width);
    return Math.min((1f / shorter) * minSize, (1f / longer) * maxSize);
  }

  /** The resized {@code {height, width}}; never below 1 pixel. */
  public int[] resizedSize(int height, int width) {
    double s = scale(height, width);
    return new int[] {Math.max(1, (int) Math.floor(height * s)), Math.max(1, (int) Math.floor(width * s))};
  }

  /**
   * {@link #resizedSize} as graph nodes: from the 1-D int64 {@code (height, width)} of the input to
   * the 1-D int64 resized {@code (height, width)}, every operation in the same precision and order.
   */
  public String lowerResizedSize(GraphOps g, String inputHw) {
    String hwF = g.cast(inputHw, GraphOps.FLOAT);
    String shorter = g.scope().node("ReduceMin").input(hwF).attr("keepdims", 0L).output();
    String longer = g.scope().node("ReduceMax").input(hwF).attr("keepdims", 0L).output();
    // Reciprocal, not Div(1, x): ONNX Runtime's optimiser rewrites Div(1, x)·c into c / x, which
    // rounds differently (480 → 799 instead of 800 rows at min_size 800).
    String scale = g.min(g.mul(g.op("Reciprocal", shorter), g.f(minSize)), g.mul(g.op("Reciprocal", longer),
        g.f(maxSize)));
    String product = g.mul(g.cast(inputHw, GraphOps.DOUBLE), g.cast(scale, GraphOps.DOUBLE));
    // 1 is exact in float, so the cast gives the double 1.0
    return g.cast(g.max(g.op("Floor", product), g.cast(g.f(1f), GraphOps.DOUBLE)), GraphOps.INT64);
  }
}
