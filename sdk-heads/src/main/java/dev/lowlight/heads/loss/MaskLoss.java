package dev.lowlight.heads.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowlight.heads.ops.Boxes;
import dev.lowlight.heads.roi.RoiAlignKernel;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision 0.14's {@code maskrcnn_loss}: for each foreground RoI, the target is its matched
 * ground-truth mask cut by RoIAlign to {@code M × M} ({@code project_masks_on_boxes}: spatial
 * scale 1, adaptive sampling, {@code aligned=False}, so soft values at the edges), and the loss is
 * the binary cross-entropy with logits between those targets and the mask logits of the RoI's
 * class, averaged over every pixel of every foreground RoI. Without foreground RoIs the loss is 0,
 * still connected to the logits (torchvision's {@code mask_logits.sum() * 0}).
 *
 * <p>Layouts: {@code maskLogits [P, K, M, M]}, one row per foreground RoI, image 0's first, in the
 * order of {@link SampledRois#positiveProposals(List)}; ground-truth masks per image {@code [G, H,
 * W]} in image pixels (any numeric type, 0/1), one per ground-truth box.
 *
 * <pre>{@code
 * NDArray loss = MaskLoss.compute(maskLogits, sampledRois, gtMasksPerImage);
 * }</pre>
 */
public final class MaskLoss {

  private MaskLoss() {}

  /** The mask loss of the foreground RoIs sampled by {@link RoiTargets}. */
  public static NDArray compute(NDArray maskLogits, List<SampledRois> samples, List<NDArray> gtMasksPerImage) {
    List<float[]> boxes = new ArrayList<>();
    List<int[]> matched = new ArrayList<>();
    List<int[]> labels = new ArrayList<>();
    for (SampledRois s : samples) {
      boxes.add(s.positiveProposals());
      matched.add(s.positiveMatchedGt());
      labels.add(s.positiveLabels());
    }
    return compute(maskLogits, boxes, matched, labels, gtMasksPerImage);
  }

  /**
   * The mask loss from explicit foreground RoIs, as torchvision's {@code maskrcnn_loss}.
   *
   * @param maskLogits {@code [P, K, M, M]}
   * @param positiveProposals per image, flat {@code xyxy} foreground RoIs
   * @param matchedGt per image, the ground-truth index of each of them
   * @param labels per image, the class of each of them (the matched ground truth's)
   * @param gtMasksPerImage per image, {@code [G, H, W]}
   */
  public static NDArray compute(NDArray maskLogits, List<float[]> positiveProposals, List<int[]> matchedGt,
      List<int[]> labels, List<NDArray> gtMasksPerImage) {
    LossOps.requireRank("mask logits", maskLogits, 4);
    Shape s = maskLogits.getShape();
    long p = s.get(0);
    long classes = s.get(1);
    int m = (int) s.get(2);
    if (s.get(3) != m) {
      throw new IllegalArgumentException("mask logits must be square [P, K, M, M], got " + s);
    }
    int images = positiveProposals.size();
    if (matchedGt.size() != images || labels.size() != images || gtMasksPerImage.size() != images) {
      throw new IllegalArgumentException("RoIs for " + images + " images, matches for " + matchedGt.size()
          + ", labels for " + labels.size() + ", masks for " + gtMasksPerImage.size());
    }
    int total = 0;
    for (int i = 0; i < images; i++) {
      int n = Boxes.count(positiveProposals.get(i));
      if (matchedGt.get(i).length != n || labels.get(i).length != n) {
        throw new IllegalArgumentException("image " + i + ": " + n + " RoIs need as many matches and labels, got "
            + matchedGt.get(i).length + " and " + labels.get(i).length);
      }
      total += n;
    }
    if (total != p) {
      throw new IllegalArgumentException("mask logits hold " + p + " RoIs, the images have " + total
          + " foreground RoIs");
    }
    NDManager parent = maskLogits.getManager();
    try (NDManager sub = parent.newSubManager()) {
      NDArray loss;
      if (p == 0) {
        sub.tempAttachAll(maskLogits);
        loss = LossOps.zeroOf(maskLogits);
      } else {
        NDArray targets = targets(sub, positiveProposals, matchedGt, gtMasksPerImage, m)
            .toType(maskLogits.getDataType(), false).toDevice(maskLogits.getDevice(), false);
        long[] picked = new long[(int) p];
        int k = 0;
        for (int[] l : labels) {
          for (int c : l) {
            if (c < 1 || c >= classes) {
              throw new IllegalArgumentException("foreground RoI " + k + " has class " + c + ", expected 1.."
                  + (classes - 1));
            }
            picked[k] = k * classes + c;
            k++;
          }
        }
        sub.tempAttachAll(maskLogits);
        NDArray chosen = LossOps.rows(sub, maskLogits.reshape(p * classes, m, m), picked);
        loss = LossOps.bceWithLogitsMean(chosen, targets);
      }
      loss.attach(parent);
      return loss;
    }
  }

  /**
   * The {@code [P, M, M]} targets ({@code project_masks_on_boxes} of every image, concatenated),
   * attached to {@code manager}; each image's masks are read on their own device.
   *
   * <p>Each ground truth's mask is cropped to the window its RoIs can sample (their extent plus a
   * margin, never an image edge moved), so only that window is converted to float and pooled: at
   * 800×1333 with 20 objects that is a small fraction of the masks. Samples stay away from a
   * moved window edge by at least a pixel, so the values are RoIAlign's on the whole mask.
   */
  public static NDArray targets(NDManager manager, List<float[]> positiveProposals, List<int[]> matchedGt,
      List<NDArray> gtMasksPerImage, int m) {
    try (NDManager sub = manager.newSubManager()) {
      NDArray out = targetsIn(sub, positiveProposals, matchedGt, gtMasksPerImage, m);
      out.attach(manager);
      return out;
    }
  }

  private static NDArray targetsIn(NDManager manager, List<float[]> positiveProposals, List<int[]> matchedGt,
      List<NDArray> gtMasksPerImage, int m) {
    int total = 0;
    for (float[] b : positiveProposals) {
      total += Boxes.count(b);
    }
    // computed on the host with the Java RoIAlign kernel: the masks are 0/1 bytes, one channel, and
    // adaptive sampling reads up to (2·side/m)² pixels per bin, which engine gathers pay per value
    float[] out = new float[total * m * m];
    int offset = 0;
    for (int i = 0; i < positiveProposals.size(); i++) {
      float[] boxes = positiveProposals.get(i);
      int n = Boxes.count(boxes);
      if (n == 0) {
        continue;
      }
      NDArray masks = gtMasksPerImage.get(i);
      if (masks.getShape().dimension() != 3) {
        throw new IllegalArgumentException("image " + i + ": ground-truth masks must be [G, H, W], got "
            + masks.getShape());
      }
      int g = (int) masks.getShape().get(0);
      int h = (int) masks.getShape().get(1);
      int w = (int) masks.getShape().get(2);
      int[] idx = matchedGt.get(i);
      for (int k = 0; k < n; k++) {
        if (idx[k] < 0 || idx[k] >= g) {
          throw new IllegalArgumentException("image " + i + ": RoI " + k + " is matched to ground truth " + idx[k]
              + ", the image has " + g + " masks");
        }
      }
      for (int gt = 0; gt < g; gt++) {
        List<Integer> members = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          if (idx[k] == gt) {
            members.add(k);
          }
        }
        if (members.isEmpty()) {
          continue;
        }
        int[] window = window(boxes, members, h, w);
        int wh = window[1] - window[0];
        int ww = window[3] - window[2];
        float[] rois = new float[5 * members.size()];
        for (int j = 0; j < members.size(); j++) {
          int k = members.get(j);
          rois[5 * j + 1] = boxes[4 * k] - window[2];
          rois[5 * j + 2] = boxes[4 * k + 1] - window[0];
          rois[5 * j + 3] = boxes[4 * k + 2] - window[2];
          rois[5 * j + 4] = boxes[4 * k + 3] - window[0];
        }
        float[] plane = windowAsFloats(masks, gt, window);
        float[] pooled = RoiAlignKernel.forward(RoiAlignKernel.taps(rois, m, m, 1f, 0, 1, wh, ww), plane, 1);
        for (int j = 0; j < members.size(); j++) {
          System.arraycopy(pooled, j * m * m, out, (offset + members.get(j)) * m * m, m * m);
        }
      }
      offset += n;
    }
    return manager.create(out, new Shape(total, m, m)).duplicate();
  }

  /** Rows {@code window[0..1)} and columns {@code window[2..3)} of mask {@code gt}, as floats. */
  private static float[] windowAsFloats(NDArray masks, int gt, int[] window) {
    NDArray crop = masks.get(gt + ", " + window[0] + ":" + window[1] + ", " + window[2] + ":" + window[3]);
    try {
      if (crop.getDataType() == DataType.UINT8 || crop.getDataType() == DataType.INT8
          || crop.getDataType() == DataType.BOOLEAN) {
        byte[] bytes = crop.toByteArray();
        float[] f = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
          f[i] = bytes[i] & 0xff;
        }
        return f;
      }
      return crop.toType(DataType.FLOAT32, false).toFloatArray();
    } finally {
      crop.close();
    }
  }

  /**
   * Rows {@code [y0, y1)} and columns {@code [x0, x1)} that RoIAlign can read for these RoIs: a
   * RoI samples inside {@code [x1, x1 + max(x2 - x1, 1))} and reads the pixel after each sample,
   * so two pixels of margin after and one before keep every read off a moved edge. A window that
   * would be empty (RoIs outside the image) is the whole mask.
   */
  private static int[] window(float[] boxes, List<Integer> members, int h, int w) {
    double minX = Double.MAX_VALUE;
    double minY = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (int k : members) {
      minX = Math.min(minX, boxes[4 * k]);
      minY = Math.min(minY, boxes[4 * k + 1]);
      maxX = Math.max(maxX, boxes[4 * k] + Math.max(boxes[4 * k + 2] - boxes[4 * k], 1f));
      maxY = Math.max(maxY, boxes[4 * k + 1] + Math.max(boxes[4 * k + 3] - boxes[4 * k + 1], 1f));
    }
    int y0 = (int) Math.max(0, Math.floor(minY) - 1);
    int x0 = (int) Math.max(0, Math.floor(minX) - 1);
    int y1 = (int) Math.min(h, Math.floor(maxY) + 3);
    int x1 = (int) Math.min(w, Math.floor(maxX) + 3);
    if (y0 >= y1 || x0 >= x1) {
      return new int[] {0, h, 0, w};
    }
    return new int[] {y0, y1, x0, x1};
  }
}
