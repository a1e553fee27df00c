package dev.lowlight.heads.ops;

import dev.lowlight.api.onnx.GraphOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.lowlight.api.nn.Scalars;

/**
 * torchvision's {@code BoxCoder}: box regression targets {@code (dx, dy, dw, dh)} relative to
 * reference boxes, scaled by weights {@code (wx, wy, ww, wh)}, with {@code dw, dh} clamped at
 * {@code log(1000/16)} when decoding so that {@code exp} cannot overflow.
 *
 * <pre>{@code
 * BoxCoder roi = BoxCoder.ROI;             // weights (10, 10, 5, 5)
 * float[] boxes = roi.decode(deltas, proposals);
 * }</pre>
 *
 * @param wx weight of the x-centre offset
 * @param wy weight of the y-centre offset
 * @param ww weight of the log width ratio
 * @param wh weight of the log height ratio
 * @param clip upper bound of the unweighted {@code dw, dh} before {@code exp}
 */
public record BoxCoder(float wx, float wy, float ww, float wh, float clip) {

  /** {@code log(1000/16)}, torchvision's default clamp. */
  public static final float DEFAULT_CLIP = (float) Math.log(1000.0 / 16);

  /** The RoI heads' coder, weights (10, 10, 5, 5). */
  public static final BoxCoder ROI = new BoxCoder(10, 10, 5, 5, DEFAULT_CLIP);

  /** The RPN's coder, weights (1, 1, 1, 1). */
  public static final BoxCoder RPN = new BoxCoder(1, 1, 1, 1, DEFAULT_CLIP);

  public BoxCoder {
    if (!(wx > 0 && wy > 0 && ww > 0 && wh > 0)) {
      throw new IllegalArgumentException("box coder weights must be > 0, got (" + wx + ", " + wy + ", " + ww + ", "
          + wh + ")");
    }
  }

  /** A coder with the given weights and the default clamp. */
  public static BoxCoder of(double wx, double wy, double ww, double wh) {
    return new BoxCoder((float) wx, (float) wy, (float) ww, (float) wh, DEFAULT_CLIP);
  }

  /** Regression targets of {@code gt} relative to {@code reference}, one 4-vector per box pair. */
  public float[] encode(float[] gt, float[] reference) {
    int n = Boxes.count(reference);
    if (gt.length != reference.length) {
      throw new IllegalArgumentException("encode needs as many ground-truth boxes as references: "
          + Boxes.count(gt) + " vs " + n);
    }
    float[] out = new float[4 * n];
    for (int i = 0; i < n; i++) {
      int o = 4 * i;
      float exW = reference[o + 2] - reference[o];
      float exH = reference[o + 3] - reference[o + 1];
      float exX = reference[o] + 0.5f * exW;
      float exY = reference[o + 1] + 0.5f * exH;
      float gtW = gt[o + 2] - gt[o];
      float gtH = gt[o + 3] - gt[o + 1];
      float gtX = gt[o] + 0.5f * gtW;
      float gtY = gt[o + 1] + 0.5f * gtH;
      out[o] = wx * (gtX - exX) / exW;
      out[o + 1] = wy * (gtY - exY) / exH;
      out[o + 2] = ww * (float) Math.log(gtW / exW);
      out[o + 3] = wh * (float) Math.log(gtH / exH);
    }
    return out;
  }

  /**
   * Decodes {@code deltas} ({@code [n, 4k]}: k boxes per reference, e.g. one per class) against
   * {@code reference} ({@code [n, 4]}), giving {@code [n, 4k]} boxes.
   */
  public float[] decode(float[] deltas, float[] reference) {
    int n = Boxes.count(reference);
    if (n == 0) {
      return new float[0];
    }
    if (deltas.length % (4 * n) != 0) {
      throw new IllegalArgumentException("decode needs 4k deltas per reference box: " + deltas.length
          + " deltas for " + n + " boxes");
    }
    int k = deltas.length / (4 * n);
    float[] out = new float[deltas.length];
    for (int i = 0; i < n; i++) {
      float w = reference[4 * i + 2] - reference[4 * i];
      float h = reference[4 * i + 3] - reference[4 * i + 1];
      float cx = reference[4 * i] + 0.5f * w;
      float cy = reference[4 * i + 1] + 0.5f * h;
      for (int j = 0; j < k; j++) {
        int o = 4 * (i * k + j);
        float dx = deltas[o] / wx;
        float dy = deltas[o + 1] / wy;
        float dw = Math.min(deltas[o + 2] / ww, clip);
        float dh = Math.min(deltas[o + 3] / wh, clip);
        float px = dx * w + cx;
        float py = dy * h + cy;
        float pw = (float) Math.exp(dw) * w;
        float ph = (float) Math.exp(dh) * h;
        out[o] = px - 0.5f * pw;
        out[o + 1] = py - 0.5f * ph;
        out[o + 2] = px + 0.5f * pw;
        out[o + 3] = py + 0.5f * ph;
      }
    }
    return out;
  }

  /**
   * Tensor form of {@link #decode(float[], float[])}: {@code deltas [N, 4k]}, {@code reference
   * [N, 4]} to boxes {@code [N, 4k]}; differentiable with respect to the deltas.
   */
  public NDArray decode(NDArray deltas, NDArray reference) {
    long n = reference.getShape().get(0);
    long k = deltas.getShape().get(1) / 4;
    NDArray w = reference.get(":, 2").sub(reference.get(":, 0")).reshape(n, 1);
    NDArray h = reference.get(":, 3").sub(reference.get(":, 1")).reshape(n, 1);
    NDArray cx = reference.get(":, 0").reshape(n, 1).add(Scalars.mul(w, 0.5f));
    NDArray cy = reference.get(":, 1").reshape(n, 1).add(Scalars.mul(h, 0.5f));
    NDArray d = deltas.reshape(n, k, 4);
    NDArray px = Scalars.div(d.get(":, :, 0"), wx).mul(w).add(cx);
    NDArray py = Scalars.div(d.get(":, :, 1"), wy).mul(h).add(cy);
    NDArray pw = Scalars.minimum(Scalars.div(d.get(":, :, 2"), ww), clip).exp().mul(w);
    NDArray ph = Scalars.minimum(Scalars.div(d.get(":, :, 3"), wh), clip).exp().mul(h);
    NDArray boxes = NDArrays.stack(new NDList(px.sub(Scalars.mul(pw, 0.5f)), py.sub(Scalars.mul(ph, 0.5f)), px.add(Scalars.mul(pw, 0.5f)),
        py.add(Scalars.mul(ph, 0.5f))), 2);
    return boxes.reshape(n, 4 * k);
  }

  /**
   * Graph form of {@link #decode(float[], float[])} on {@code [..., 4]} deltas and references
   * (broadcasting), the same float32 operations in the same order.
   */
  public String lower(GraphOps g, String deltas, String reference) {
    String w = g.sub(Boxes.lowerCoord(g, reference, 2), Boxes.lowerCoord(g, reference, 0));
    String h = g.sub(Boxes.lowerCoord(g, reference, 3), Boxes.lowerCoord(g, reference, 1));
    String half = g.f(0.5f);
    String cx = g.add(Boxes.lowerCoord(g, reference, 0), g.mul(half, w));
    String cy = g.add(Boxes.lowerCoord(g, reference, 1), g.mul(half, h));
    String limit = g.f(clip);
    String dx = g.div(Boxes.lowerCoord(g, deltas, 0), g.f(wx));
    String dy = g.div(Boxes.lowerCoord(g, deltas, 1), g.f(wy));
    String dw = g.min(g.div(Boxes.lowerCoord(g, deltas, 2), g.f(ww)), limit);
    String dh = g.min(g.div(Boxes.lowerCoord(g, deltas, 3), g.f(wh)), limit);
    String px = g.add(g.mul(dx, w), cx);
    String py = g.add(g.mul(dy, h), cy);
    String pw = g.mul(g.op("Exp", dw), w);
    String ph = g.mul(g.op("Exp", dh), h);
    return g.concat(-1, g.sub(px, g.mul(half, pw)), g.sub(py, g.mul(half, ph)), g.add(px, g.mul(half, pw)),
        g.add(py, g.mul(half, ph)));
  }

  /** Tensor form of {@link #encode(float[], float[])}: {@code [N, 4]} each, to {@code [N, 4]}. */
  public NDArray encode(NDArray gt, NDArray reference) {
    NDArray exW = reference.get(":, 2").sub(reference.get(":, 0"));
    NDArray exH = reference.get(":, 3").sub(reference.get(":, 1"));
    NDArray exX = reference.get(":, 0").add(Scalars.mul(exW, 0.5f));
    NDArray exY = reference.get(":, 1").add(Scalars.mul(exH, 0.5f));
    NDArray gtW = gt.get(":, 2").sub(gt.get(":, 0"));
    NDArray gtH = gt.get(":, 3").sub(gt.get(":, 1"));
    NDArray gtX = gt.get(":, 0").add(Scalars.mul(gtW, 0.5f));
    NDArray gtY = gt.get(":, 1").add(Scalars.mul(gtH, 0.5f));
    return NDArrays.stack(new NDList(Scalars.mul(gtX.sub(exX).div(exW), wx), Scalars.mul(gtY.sub(exY).div(exH), wy),
        Scalars.mul(gtW.div(exW).log(), ww), Scalars.mul(gtH.div(exH).log(), wh)), 1);
  }
}
