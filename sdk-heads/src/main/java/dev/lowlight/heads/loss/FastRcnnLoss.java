package dev.lowlight.heads.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowlight.api.nn.Scalars;
import java.util.List;

/**
 * torchvision 0.14's {@code fastrcnn_loss}: cross-entropy of the class logits over all sampled
 * RoIs (mean), and for the foreground RoIs the smooth-L1 ({@code beta = 1/9}) between the box
 * regression of their own class and the regression targets, summed and divided by the number of
 * sampled RoIs.
 *
 * <p>Layouts: {@code classLogits [R, K]} and {@code boxRegression [R, 4K]} (class {@code k}'s
 * deltas at columns {@code 4k..4k+3}), rows in the order of the {@link SampledRois} of image 0,
 * then image 1, and so on — the order {@link SampledRois#proposals(List)} pools them in. A batch
 * with no RoI at all gives zeros connected to the inputs (torchvision gives NaN).
 *
 * <pre>{@code
 * FastRcnnLosses l = FastRcnnLoss.compute(classLogits, boxRegression, sampledRois);
 * gc.backward(l.total());
 * }</pre>
 */
public final class FastRcnnLoss {

  private FastRcnnLoss() {}

  /** The losses of the RoIs sampled by {@link RoiTargets}. */
  public static FastRcnnLosses compute(NDArray classLogits, NDArray boxRegression, List<SampledRois> samples) {
    int r = 0;
    for (SampledRois s : samples) {
      r += s.size();
    }
    int[] labels = new int[r];
    float[] targets = new float[4 * r];
    int k = 0;
    for (SampledRois s : samples) {
      System.arraycopy(s.labels(), 0, labels, k, s.size());
      System.arraycopy(s.regressionTargets(), 0, targets, 4 * k, 4 * s.size());
      k += s.size();
    }
    return compute(classLogits, boxRegression, labels, targets);
  }

  /**
   * The losses from explicit targets.
   *
   * @param classLogits {@code [R, K]}
   * @param boxRegression {@code [R, 4K]}
   * @param labels class per RoI, in {@code [0, K)}
   * @param regressionTargets 4 per RoI; only the foreground RoIs' are read
   */
  public static FastRcnnLosses compute(NDArray classLogits, NDArray boxRegression, int[] labels,
      float[] regressionTargets) {
    LossOps.requireRank("class logits", classLogits, 2);
    LossOps.requireRank("box regression", boxRegression, 2);
    long r = classLogits.getShape().get(0);
    long classes = classLogits.getShape().get(1);
    if (boxRegression.getShape().get(0) != r || boxRegression.getShape().get(1) != 4 * classes) {
      throw new IllegalArgumentException("class logits " + classLogits.getShape() + " need box regression [" + r
          + ", " + 4 * classes + "], got " + boxRegression.getShape());
    }
    if (labels.length != r || regressionTargets.length != 4 * r) {
      throw new IllegalArgumentException(r + " RoIs need as many labels and " + 4 * r + " regression targets, got "
          + labels.length + " and " + regressionTargets.length);
    }
    int positives = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("RoI " + i + " has label " + labels[i] + ", expected 0.." + (classes - 1));
      }
      if (labels[i] > 0) {
        positives++;
      }
    }
    NDManager parent = classLogits.getManager();
    try (NDManager sub = parent.newSubManager()) {
      sub.tempAttachAll(classLogits, boxRegression);
      NDArray classifier;
      NDArray boxReg;
      if (r == 0) {
        classifier = LossOps.zeroOf(classLogits);
        boxReg = LossOps.zeroOf(boxRegression);
      } else {
        long[] picked = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
          picked[i] = i * classes + labels[i];
        }
        NDArray logProb = classLogits.logSoftmax(1).reshape(-1);
        classifier = LossOps.rows(sub, logProb, picked).mean().neg();
        if (positives == 0) {
          boxReg = LossOps.zeroOf(boxRegression);
        } else {
          long[] rows = new long[positives];
          float[] target = new float[4 * positives];
          int k = 0;
          for (int i = 0; i < labels.length; i++) {
            if (labels[i] > 0) {
              rows[k] = picked[i];
              System.arraycopy(regressionTargets, 4 * i, target, 4 * k, 4);
              k++;
            }
          }
          NDArray pred = LossOps.rows(sub, boxRegression.reshape(r * classes, 4), rows);
          NDArray t = LossOps.floats(sub, target, new Shape(positives, 4), boxRegression);
          boxReg = Scalars.div(LossOps.smoothL1Sum(pred, t, LossOps.BETA), (float) r);
        }
      }
      classifier.attach(parent);
      boxReg.attach(parent);
      return new FastRcnnLosses(classifier, boxReg);
    }
  }
}
