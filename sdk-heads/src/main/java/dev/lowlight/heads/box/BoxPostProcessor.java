package dev.lowlight.heads.box;

import dev.lowlight.api.onnx.GraphOps;
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

  /** Scores of boxes masked out before {@code NonMaxSuppression}: below every probability. */
  private static final float MASKED = -1f;

  /**
   * Graph form of {@link #process(float[], float[], float[], int, int, int)} for one image: class
   * logits {@code [R, K]}, box regression {@code [R, 4K]}, proposals {@code [R, 4]}, {@code
   * limits} the float {@code (w, h, w, h)} of the resized image. Returns {boxes {@code [D, 4]} in
   * resized-image pixels, labels {@code [D]} int64, scores {@code [D]}}.
   */
  public String[] lower(GraphOps g, String classLogits, String boxRegression, String proposals, String limits,
      int numClasses) {
    String probs = g.scope().node("Softmax").input(classLogits).attr("axis", 1L).output();
    // an explicit class count: Reshape cannot infer -1 next to a copied 0 when there are no rows
    String deltas = g.reshape(boxRegression, -1, numClasses, 4);
    String boxes = Boxes.lowerClip(g, coder.lower(g, deltas, g.unsqueeze(proposals, 1)), limits);
    // drop background: [R, K-1, 4] boxes and [R, K-1] scores, flattened (proposal, class) as torchvision
    String fgBoxes = g.slice(boxes, 1, numClasses, 1);
    String fgScores = g.slice(probs, 1, numClasses, 1);
    String masked = g.op("Where", Boxes.lowerIsLarge(g, fgBoxes, MIN_SIZE), fgScores, g.f(MASKED));
    // NMS per class: each foreground class is one batch entry with its own boxes, so no offsets
    String selected = Nms.lower(g, g.transpose(fgBoxes, 1, 0, 2), g.unsqueeze(g.transpose(masked, 1, 0), 1),
        nmsThresh, scoreThresh);
    String cls = g.flat(g.slice(selected, 0, 1, 1));
    String row = g.flat(g.slice(selected, 2, 3, 1));
    String flatIndex = g.add(g.mul(row, g.l(numClasses - 1)), cls);
    String[] best = g.topK(g.gather(g.flat(fgScores), flatIndex, 0), detectionsPerImg);
    String chosen = g.gather(flatIndex, best[1], 0);
    String detBoxes = g.gather(g.reshape(fgBoxes, -1, 4), chosen, 0);
    String labels = g.add(g.gather(cls, best[1], 0), g.l(1));
    return new String[] {detBoxes, labels, best[0]};
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
