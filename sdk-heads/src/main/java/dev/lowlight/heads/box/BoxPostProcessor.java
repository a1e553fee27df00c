package dev.lowlight.heads.box;

import ai.djl.ndarray.NDArray;
import dev.lowlight.api.config.RoiHeadsConfig;
import dev.lowlight.heads.ops.BoxCoder;
import dev.lowlight.heads.ops.Boxes;
import dev.lowlight.heads.ops.Detections;
import dev.lowlight.heads.ops.Nms;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torchvision's {@code RoIHeads.postprocess_detections}: softmax over the class logits, decode
 * the per-class deltas against the proposals, clip to the image, drop the background class,
 * drop scores not above {@code scoreThresh}, drop boxes smaller than {@code 1e-2}, NMS per class
 * at {@code nmsThresh}, keep the {@code detectionsPerImg} best.
 *
 * <pre>{@code
 * BoxPostProcessor post = BoxPostProcessor.of(config.roiHeads());
 * List<Detections> dets = post.process(classLogits, boxRegression, proposalsPerImage, imageSizes);
 * }</pre>
 *
 * @param coder the box coder, weights (10, 10, 5, 5) by default
 * @param scoreThresh minimum class probability (strictly above)
 * @param nmsThresh IoU threshold of the per-class NMS
 * @param detectionsPerImg maximum detections per image
 */
public record BoxPostProcessor(BoxCoder coder, float scoreThresh, float nmsThresh, int detectionsPerImg) {

  /** torchvision's minimum detection side. */
  public static final float MIN_SIZE = 1e-2f;

  public BoxPostProcessor {
    if (detectionsPerImg < 1) {
      throw new IllegalArgumentException("detectionsPerImg must be >= 1, got " + detectionsPerImg);
    }
  }

  /** From the configuration's RoI heads settings. */
  public static BoxPostProcessor of(RoiHeadsConfig c) {
    List<Double> w = c.bboxRegWeights();
    return new BoxPostProcessor(BoxCoder.of(w.get(0), w.get(1), w.get(2), w.get(3)), (float) c.scoreThresh(),
        (float) c.nmsThresh(), c.detectionsPerImg());
  }

  /**
   * Detections of one image.
   *
   * @param classLogits {@code [R, K]} row-major
   * @param boxRegression {@code [R, 4K]} row-major
   * @param proposals flat {@code xyxy}, R boxes
   */
  public Detections process(float[] classLogits, float[] boxRegression, float[] proposals, int numClasses,
      int imageH, int imageW) {
    int r = Boxes.count(proposals);
    if (classLogits.length != r * numClasses || boxRegression.length != 4 * r * numClasses) {
      throw new IllegalArgumentException("for " + r + " proposals and " + numClasses + " classes, expected "
          + r * numClasses + " logits and " + 4 * r * numClasses + " deltas, got " + classLogits.length + " and "
          + boxRegression.length);
    }
    float[] boxes = Boxes.clipInPlace(coder.decode(boxRegression, proposals), imageH, imageW);
    List<Integer> cand = new ArrayList<>();
    float[] prob = new float[r * numClasses];
    for (int i = 0; i < r; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < numClasses; k++) {
        max = Math.max(max, classLogits[i * numClasses + k]);
      }
      double sum = 0;
      for (int k = 0; k < numClasses; k++) {
        sum += Math.exp(classLogits[i * numClasses + k] - max);
      }
      for (int k = 0; k < numClasses; k++) {
        prob[i * numClasses + k] = (float) (Math.exp(classLogits[i * numClasses + k] - max) / sum);
      }
      // background (class 0) never becomes a detection; the order (proposal, class) is torchvision's
      for (int k = 1; k < numClasses; k++) {
        int at = i * numClasses + k;
        if (prob[at] > scoreThresh) {
          float w = boxes[4 * at + 2] - boxes[4 * at];
          float h = boxes[4 * at + 3] - boxes[4 * at + 1];
          if (w >= MIN_SIZE && h >= MIN_SIZE) {
            cand.add(at);
          }
        }
      }
    }
    int[] at = cand.stream().mapToInt(Integer::intValue).toArray();
    float[] cb = Boxes.select(boxes, at);
    float[] cs = Boxes.select1(prob, at);
    int[] cl = new int[at.length];
    for (int i = 0; i < at.length; i++) {
      cl[i] = at[i] % numClasses;
    }
    int[] keep = Nms.batchedNms(cb, cs, cl, nmsThresh);
    if (keep.length > detectionsPerImg) {
      keep = Arrays.copyOf(keep, detectionsPerImg);
    }
    return new Detections(Boxes.select(cb, keep), Boxes.select1(cs, keep), Boxes.select1(cl, keep));
  }

  /**
   * Detections of every image from the box head's outputs for the concatenated proposals.
   *
   * @param classLogits {@code [R, K]}
   * @param boxRegression {@code [R, 4K]}
   * @param proposals per image, flat {@code xyxy}; their counts sum to R
   * @param imageSizes {@code {h, w}} per image
   */
  public List<Detections> process(NDArray classLogits, NDArray boxRegression, List<float[]> proposals,
      int[][] imageSizes) {
    int k = (int) classLogits.getShape().get(1);
    float[] logits = classLogits.toFloatArray();
    float[] deltas = boxRegression.toFloatArray();
    List<Detections> out = new ArrayList<>();
    int offset = 0;
    for (int i = 0; i < proposals.size(); i++) {
      int r = Boxes.count(proposals.get(i));
      if ((offset + r) * k > logits.length) {
        throw new IllegalArgumentException("proposals count more boxes than the " + logits.length / k
            + " rows of the class logits");
      }
      out.add(process(Arrays.copyOfRange(logits, offset * k, (offset + r) * k),
          Arrays.copyOfRange(deltas, 4 * offset * k, 4 * (offset + r) * k), proposals.get(i), k, imageSizes[i][0],
          imageSizes[i][1]));
      offset += r;
    }
    return out;
  }
}
