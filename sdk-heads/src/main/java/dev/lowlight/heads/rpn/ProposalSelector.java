package dev.lowlight.heads.rpn;

import dev.lowlight.api.onnx.GraphOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.lowlight.api.config.RpnConfig;
import dev.lowlight.heads.ops.BoxCoder;
import dev.lowlight.heads.ops.Boxes;
import dev.lowlight.heads.ops.Detections;
import dev.lowlight.heads.ops.Nms;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's {@code RegionProposalNetwork.filter_proposals}, per image: decode the deltas
 * against the anchors (weights 1,1,1,1), keep the {@code preNmsTopN} highest objectness logits
 * of each level, apply the sigmoid, clip to the image, drop boxes smaller than {@code 1e-3},
 * drop scores below {@code scoreThresh}, NMS per level at {@code nmsThresh}, and keep the first
 * {@code postNmsTopN} by score. The result's labels are the level index of each proposal.
 *
 * <pre>{@code
 * ProposalSelector select = ProposalSelector.inference(config.rpn());
 * List<Detections> proposals = select.select(rpnHeadOutputs, anchorsPerLevel, imageSizes);
 * }</pre>
 *
 * @param preNmsTopN proposals kept per level before NMS
 * @param postNmsTopN proposals kept per image after NMS
 * @param nmsThresh IoU threshold of the per-level NMS
 * @param scoreThresh minimum objectness probability
 * @param minSize minimum box side in pixels
 */
public record ProposalSelector(int preNmsTopN, int postNmsTopN, float nmsThresh, float scoreThresh, float minSize) {

  /** torchvision's minimum proposal side. */
  public static final float MIN_SIZE = 1e-3f;

  public ProposalSelector {
    if (preNmsTopN < 1 || postNmsTopN < 1) {
      throw new IllegalArgumentException("preNmsTopN and postNmsTopN must be >= 1, got " + preNmsTopN + ", "
          + postNmsTopN);
    }
  }

  /** The selector of inference ({@code *_test} counts). */
  public static ProposalSelector inference(RpnConfig c) {
    return new ProposalSelector(c.preNmsTopNTest(), c.postNmsTopNTest(), (float) c.nmsThresh(),
        (float) c.scoreThresh(), MIN_SIZE);
  }

  /** The selector of training ({@code *_train} counts). */
  public static ProposalSelector training(RpnConfig c) {
    return new ProposalSelector(c.preNmsTopNTrain(), c.postNmsTopNTrain(), (float) c.nmsThresh(),
        (float) c.scoreThresh(), MIN_SIZE);
  }

  /**
   * Proposals of one image.
   *
   * @param objectness per level, logits ordered {@code (y, x, anchor)}
   * @param deltas per level, 4 values per anchor in the same order
   * @param anchors per level, flat {@code xyxy} in the same order
   */
  public Detections select(List<float[]> objectness, List<float[]> deltas, List<float[]> anchors, int imageH,
      int imageW) {
    if (objectness.size() != deltas.size() || objectness.size() != anchors.size()) {
      throw new IllegalArgumentException("need objectness, deltas and anchors for the same levels, got "
          + objectness.size() + ", " + deltas.size() + ", " + anchors.size());
    }
    List<float[]> boxes = new ArrayList<>();
    List<Float> scores = new ArrayList<>();
    List<Integer> levels = new ArrayList<>();
    for (int l = 0; l < objectness.size(); l++) {
      float[] obj = objectness.get(l);
      if (deltas.get(l).length != 4 * obj.length || anchors.get(l).length != 4 * obj.length) {
        throw new IllegalArgumentException("level " + l + ": " + obj.length + " objectness values need "
            + 4 * obj.length + " deltas and anchor coordinates, got " + deltas.get(l).length + " and "
            + anchors.get(l).length);
      }
      int[] top = Nms.topK(obj, preNmsTopN);
      float[] decoded = BoxCoder.RPN.decode(Boxes.select(deltas.get(l), top), Boxes.select(anchors.get(l), top));
      for (int i = 0; i < top.length; i++) {
        boxes.add(new float[] {decoded[4 * i], decoded[4 * i + 1], decoded[4 * i + 2], decoded[4 * i + 3]});
        scores.add((float) (1.0 / (1.0 + Math.exp(-obj[top[i]]))));
        levels.add(l);
      }
    }
    float[] flat = new float[4 * boxes.size()];
    for (int i = 0; i < boxes.size(); i++) {
      System.arraycopy(boxes.get(i), 0, flat, 4 * i, 4);
    }
    Boxes.clipInPlace(flat, imageH, imageW);
    List<Integer> keep = new ArrayList<>();
    for (int i : Boxes.keepLarge(flat, minSize)) {
      if (scores.get(i) >= scoreThresh) {
        keep.add(i);
      }
    }
    int[] kept = keep.stream().mapToInt(Integer::intValue).toArray();
    float[] kb = Boxes.select(flat, kept);
    float[] ks = new float[kept.length];
    int[] kl = new int[kept.length];
    for (int i = 0; i < kept.length; i++) {
      ks[i] = scores.get(kept[i]);
      kl[i] = levels.get(kept[i]);
    }
    int[] nms = Nms.batchedNms(kb, ks, kl, nmsThresh);
    if (nms.length > postNmsTopN) {
      nms = java.util.Arrays.copyOf(nms, postNmsTopN);
    }
    return new Detections(Boxes.select(kb, nms), Boxes.select1(ks, nms), Boxes.select1(kl, nms));
  }

  /** Scores of boxes masked out before {@code NonMaxSuppression}: below every probability. */
  private static final float MASKED = -1f;

  /**
   * Graph form of {@link #select(List, List, List, int, int)} for one image: {@code headOutputs}
   * are the RPN head's {@code objectness_l [1,A,H,W], deltas_l [1,4A,H,W]} per level, {@code
   * anchors} each level's {@code [H·W·A, 4]} ({@link dev.lowlight.heads.anchors.AnchorGenerator#lower}),
   * {@code anchorsPerLocation} each level's {@code A}, {@code limits} the float {@code (w, h, w, h)}
   * of the resized image. Returns the proposals, {@code [P, 4]}.
   */
  public String lower(GraphOps g, List<String> headOutputs, List<String> anchors, int[] anchorsPerLocation,
      String limits) {
    int n = anchors.size();
    if (headOutputs.size() != 2 * n) {
      throw new IllegalStateException("the RPN head lowered to " + headOutputs.size() + " outputs for " + n
          + " levels; expected objectness and deltas per level");
    }
    String[] boxes = new String[n];
    String[] scores = new String[n];
    String[] levelIds = new String[n];
    for (int l = 0; l < n; l++) {
      String objectness = g.flat(g.transpose(headOutputs.get(2 * l), 0, 2, 3, 1));
      // [1, 4A, H, W] -> [H·W·A, 4], as the eager path orders (y, x, anchor)
      String deltas = g.reshape(g.transpose(g.reshape(headOutputs.get(2 * l + 1), 0, anchorsPerLocation[l], 4, -1),
          0, 3, 1, 2), -1, 4);
      String[] top = g.topK(objectness, preNmsTopN);
      boxes[l] = BoxCoder.RPN.lower(g, g.gather(deltas, top[1], 0), g.gather(anchors.get(l), top[1], 0));
      scores[l] = g.op("Sigmoid", top[0]);
      levelIds[l] = g.fillLong(g.shape(top[1]), l);
    }
    String all = Boxes.lowerClip(g, g.concat(0, boxes), limits);
    String score = g.concat(0, scores);
    String level = g.concat(0, levelIds);
    String keep = g.where(g.op("And", Boxes.lowerIsLarge(g, all, minSize),
        g.op("GreaterOrEqual", score, g.f(scoreThresh))));
    all = g.gather(all, keep, 0);
    score = g.gather(score, keep, 0);
    level = g.gather(level, keep, 0);
    // NMS per level: one "class" per level, each seeing only its own boxes' scores
    long[] ids = new long[n];
    for (int l = 0; l < n; l++) {
      ids[l] = l;
    }
    String mine = g.op("Equal", g.unsqueeze(level, 0), g.scope().constant(ids, n, 1));
    String perLevel = g.unsqueeze(g.op("Where", mine, g.unsqueeze(score, 0), g.f(MASKED)), 0);
    String selected = Nms.lower(g, g.unsqueeze(all, 0), perLevel, nmsThresh, MASKED / 2);
    String kept = g.flat(g.slice(selected, 2, 3, 1));
    String[] best = g.topK(g.gather(score, kept, 0), postNmsTopN);
    return g.gather(all, g.gather(kept, best[1], 0), 0);
  }

  /**
   * Proposals of every image of a batch from the {@link RpnHead}'s outputs ({@code objectness_l
   * [N,A,H,W], deltas_l [N,4A,H,W]} interleaved per level).
   *
   * @param anchors per level, flat {@code xyxy} ordered {@code (y, x, anchor)}, shared by the images
   * @param imageSizes {@code {h, w}} of each image before padding
   */
  public List<Detections> select(NDList headOutputs, List<float[]> anchors, int[][] imageSizes) {
    if (headOutputs.size() != 2 * anchors.size()) {
      throw new IllegalArgumentException("RPN head gave " + headOutputs.size() + " outputs, expected 2 per level for "
          + anchors.size() + " levels");
    }
    int levels = anchors.size();
    List<float[][]> obj = new ArrayList<>();
    List<float[][]> del = new ArrayList<>();
    int n = (int) headOutputs.get(0).getShape().get(0);
    if (imageSizes.length != n) {
      throw new IllegalArgumentException("got " + imageSizes.length + " image sizes for a batch of " + n);
    }
    for (int l = 0; l < levels; l++) {
      NDArray o = headOutputs.get(2 * l);
      NDArray d = headOutputs.get(2 * l + 1);
      long a = o.getShape().get(1);
      long h = o.getShape().get(2);
      long w = o.getShape().get(3);
      float[] of = o.transpose(0, 2, 3, 1).toFloatArray();
      float[] df = d.reshape(n, a, 4, h, w).transpose(0, 3, 4, 1, 2).toFloatArray();
      int per = (int) (a * h * w);
      float[][] po = new float[n][];
      float[][] pd = new float[n][];
      for (int i = 0; i < n; i++) {
        po[i] = java.util.Arrays.copyOfRange(of, i * per, (i + 1) * per);
        pd[i] = java.util.Arrays.copyOfRange(df, 4 * i * per, 4 * (i + 1) * per);
      }
      obj.add(po);
      del.add(pd);
    }
    List<Detections> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<float[]> oi = new ArrayList<>();
      List<float[]> di = new ArrayList<>();
      for (int l = 0; l < levels; l++) {
        oi.add(obj.get(l)[i]);
        di.add(del.get(l)[i]);
      }
      out.add(select(oi, di, anchors, imageSizes[i][0], imageSizes[i][1]));
    }
    return out;
  }
}
