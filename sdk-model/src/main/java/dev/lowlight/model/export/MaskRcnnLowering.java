package dev.lowlight.model.export;

import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.config.RoiHeadsConfig;
import dev.lowlight.api.config.RpnConfig;
import dev.lowlight.data.transform.DetectionTransform;
import dev.lowlight.api.onnx.GraphOps;
import dev.lowlight.api.onnx.OnnxGraphBuilder;
import dev.lowlight.heads.anchors.AnchorGenerator;
import dev.lowlight.heads.box.BoxPostProcessor;
import dev.lowlight.heads.ops.BoxCoder;
import dev.lowlight.heads.roi.MultiScaleRoiAlign;
import dev.lowlight.heads.rpn.ProposalSelector;
import dev.lowlight.model.MaskRcnn;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the whole of {@link MaskRcnn#predict} into one graph: the learnable blocks lower
 * themselves, and this class writes what lies between them with the same arithmetic as the eager
 * path (torchvision's {@code GeneralizedRCNNTransform}, {@code AnchorGenerator}, {@code
 * filter_proposals}, {@code MultiScaleRoIAlign}, {@code postprocess_detections} and {@code
 * maskrcnn_inference}).
 */
final class MaskRcnnLowering {

  /** Scores of boxes masked out before {@code NonMaxSuppression}; below every probability. */
  private static final float MASKED = -1f;

  private final ModelConfig config;
  private final MaskRcnn.Parts parts;
  private final GraphOps g;

  MaskRcnnLowering(MaskRcnn model, OnnxGraphBuilder graph) {
    this.config = model.config();
    this.parts = model.parts();
    this.g = new GraphOps(graph.scope("detect"));
  }

  /** The four graph values {@code boxes, labels, scores, masks} computed from {@code image}. */
  List<String> lower(OnnxGraphBuilder graph, String image) {
    // --- transform: normalise, resize (torchvision's rule), pad to the size multiple
    DetectionTransform.Lowered t = parts.transform().lower(g, image);
    String x = t.input();
    String inputHw = t.inputHw();
    String resizedHw = t.resizedHw();
    String paddedHw = t.paddedHw();
    String resizedF = g.cast(resizedHw, GraphOps.FLOAT);
    // (w, h, w, h): clip bounds of xyxy boxes on the resized image
    String clipMax = g.gather(resizedF, g.longs(1, 0, 1, 0), 0);

    // --- network
    List<String> features = parts.backbone().lower(graph.scope("backbone"), List.of(x));
    List<String> levels = parts.neck().lower(graph.scope("backbone.fpn"), features);
    List<String> rpn = parts.rpnHead().lower(graph.scope("rpn.head"), levels);
    if (rpn.size() != 2 * levels.size()) {
      throw new IllegalStateException("the RPN head lowered to " + rpn.size() + " outputs for " + levels.size()
          + " levels; expected objectness and deltas per level");
    }

    String proposals = proposals(rpn, levels, paddedHw, clipMax);
    List<String> pooledLevels = levels.subList(0, parts.roiStrides().length);

    // --- box branch
    RoiHeadsConfig roi = config.roiHeads();
    String boxFeatures = roiAlign(pooledLevels, proposals, roi.boxPoolSize());
    List<String> box = parts.boxHead().lower(graph.scope("roi_heads"), List.of(boxFeatures));
    String[] det = detections(box.get(0), box.get(1), proposals, clipMax);
    String detBoxes = det[0];
    String labels = det[1];
    String scores = det[2];

    // --- mask branch on the detections
    String maskFeatures = roiAlign(pooledLevels, detBoxes, roi.maskPoolSize());
    String logits = parts.maskHead().lower(graph.scope("roi_heads"), List.of(maskFeatures)).get(0);
    String masks = maskOfLabel(logits, labels);

    // --- back to input pixels: multiply by input / resized, as the eager path does
    String ratio = g.div(g.cast(inputHw, GraphOps.FLOAT), resizedF);
    String boxes = g.mul(detBoxes, g.gather(ratio, g.longs(1, 0, 1, 0), 0));
    return List.of(boxes, labels, scores, masks);
  }

  // ------------------------------------------------------------------------------------------
  // proposals

  private String proposals(List<String> rpn, List<String> levels, String paddedHw, String clipMax) {
    RpnConfig c = config.rpn();
    AnchorGenerator anchors = parts.anchors();
    int n = levels.size();
    String[] boxes = new String[n];
    String[] scores = new String[n];
    String[] levelIds = new String[n];
    for (int l = 0; l < n; l++) {
      int a = anchors.anchorsPerLocation(l);
      String objectness = g.flat(g.transpose(rpn.get(2 * l), 0, 2, 3, 1));
      String deltas = g.reshape(g.transpose(g.reshape(rpn.get(2 * l + 1), 0, a, 4, -1), 0, 3, 1, 2), -1, 4);
      String levelAnchors = anchors(l, levels.get(l), paddedHw);
      String[] top = g.topK(objectness, c.preNmsTopNTest());
      boxes[l] = decode(g.gather(deltas, top[1], 0), g.gather(levelAnchors, top[1], 0), BoxCoder.RPN);
      scores[l] = g.op("Sigmoid", top[0]);
      levelIds[l] = g.fillLong(g.shape(top[1]), l);
    }
    String all = clip(g.concat(0, boxes), clipMax);
    String score = g.concat(0, scores);
    String level = g.concat(0, levelIds);
    String keep = g.where(g.op("And", large(all, ProposalSelector.MIN_SIZE),
        g.op("GreaterOrEqual", score, g.f((float) c.scoreThresh()))));
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
    String selected = nms(g.unsqueeze(all, 0), perLevel, (float) c.nmsThresh(), MASKED / 2);
    String kept = g.flat(g.slice(selected, 2, 3, 1));
    String[] best = g.topK(g.gather(score, kept, 0), c.postNmsTopNTest());
    return g.gather(all, g.gather(kept, best[1], 0), 0);
  }

  /** Anchors of level {@code l} for the feature map {@code feature}: cell anchors + stride grid. */
  private String anchors(int l, String feature, String paddedHw) {
    AnchorGenerator anchors = parts.anchors();
    int a = anchors.anchorsPerLocation(l);
    String featureHw = g.slice(g.shape(feature), 2, 4, 0);
    String stride = g.div(paddedHw, featureHw);
    String ys = g.reshape(g.cast(g.mul(g.range(g.at(featureHw, 0)), g.at(stride, 0)), GraphOps.FLOAT), -1, 1, 1, 1);
    String xs = g.reshape(g.cast(g.mul(g.range(g.at(featureHw, 1)), g.at(stride, 1)), GraphOps.FLOAT), 1, -1, 1, 1);
    String shifts = g.add(g.mul(xs, g.scope().constant(new float[] {1, 0, 1, 0}, 1, 1, 1, 4)),
        g.mul(ys, g.scope().constant(new float[] {0, 1, 0, 1}, 1, 1, 1, 4)));
    String cell = g.scope().constant(anchors.cellAnchors(l), 1, 1, a, 4);
    return g.reshape(g.add(shifts, cell), -1, 4);
  }

  // ------------------------------------------------------------------------------------------
  // box arithmetic

  /** torchvision's {@code BoxCoder.decode_single} on {@code [..., 4]} deltas and references. */
  private String decode(String deltas, String reference, BoxCoder coder) {
    String w = g.sub(coord(reference, 2), coord(reference, 0));
    String h = g.sub(coord(reference, 3), coord(reference, 1));
    String half = g.f(0.5f);
    String cx = g.add(coord(reference, 0), g.mul(half, w));
    String cy = g.add(coord(reference, 1), g.mul(half, h));
    String clamp = g.f(coder.clip());
    String dx = g.div(coord(deltas, 0), g.f(coder.wx()));
    String dy = g.div(coord(deltas, 1), g.f(coder.wy()));
    String dw = g.min(g.div(coord(deltas, 2), g.f(coder.ww())), clamp);
    String dh = g.min(g.div(coord(deltas, 3), g.f(coder.wh())), clamp);
    String px = g.add(g.mul(dx, w), cx);
    String py = g.add(g.mul(dy, h), cy);
    String pw = g.mul(g.op("Exp", dw), w);
    String ph = g.mul(g.op("Exp", dh), h);
    return g.concat(-1, g.sub(px, g.mul(half, pw)), g.sub(py, g.mul(half, ph)), g.add(px, g.mul(half, pw)),
        g.add(py, g.mul(half, ph)));
  }

  /** Coordinate {@code i} of {@code [..., 4]} boxes, keeping the last axis. */
  private String coord(String boxes, int i) {
    return g.slice(boxes, i, i + 1, -1);
  }

  private String clip(String boxes, String clipMax) {
    return g.min(g.max(boxes, g.f(0f)), clipMax);
  }

  /** Whether both sides of each box are at least {@code minSize} ({@code [...]} boolean). */
  private String large(String boxes, float minSize) {
    String min = g.f(minSize);
    String w = g.sub(coord(boxes, 2), coord(boxes, 0));
    String h = g.sub(coord(boxes, 3), coord(boxes, 1));
    String both = g.op("And", g.op("GreaterOrEqual", w, min), g.op("GreaterOrEqual", h, min));
    return g.op("Squeeze", both, g.longs(-1));
  }

  /**
   * {@code NonMaxSuppression} of {@code boxes [B, N, 4]} with {@code scores [B, C, N]}, keeping
   * boxes whose IoU with a better one is not above {@code iou} and whose score is above {@code
   * scoreThreshold}; returns {@code [K, 3]} (batch, class, box).
   */
  private String nms(String boxes, String scores, float iou, float scoreThreshold) {
    return g.op("NonMaxSuppression", boxes, scores, g.longs(Integer.MAX_VALUE), g.scope().constant(new float[] {iou}, 1),
        g.scope().constant(new float[] {scoreThreshold}, 1));
  }

  // ------------------------------------------------------------------------------------------
  // multi-scale RoIAlign

  /**
   * torchvision's {@code MultiScaleRoIAlign}: each box pooled from the level its size picks,
   * {@code RoiAlign} per level on the boxes gathered for it, rows scattered back to box order.
   */
  private String roiAlign(List<String> levels, String boxes, int outputSize) {
    int[] strides = parts.roiStrides();
    MultiScaleRoiAlign reference = MultiScaleRoiAlign.fromStrides(outputSize, config.roiHeads().samplingRatio(),
        strides);
    float[] scales = reference.scales();
    if (levels.size() == 1) {
      return roiAlignLevel(levels.get(0), boxes, g.fillLong(g.slice(g.shape(boxes), 0, 1, 0), 0), scales[0],
          outputSize);
    }
    int kMin = (int) Math.round(-Math.log(scales[0]) / Math.log(2));
    int kMax = kMin + scales.length - 1;
    String area = g.mul(g.sub(coord(boxes, 2), coord(boxes, 0)), g.sub(coord(boxes, 3), coord(boxes, 1)));
    String log2 = g.div(g.op("Log", g.div(g.op("Sqrt", g.flat(area)), g.f(MultiScaleRoiAlign.CANONICAL_SCALE))),
        g.f((float) Math.log(2)));
    String k = g.op("Floor", g.add(g.add(g.f(MultiScaleRoiAlign.CANONICAL_LEVEL), log2),
        g.f(MultiScaleRoiAlign.EPS)));
    String level = g.cast(g.sub(g.op("Clip", k, g.f(kMin), g.f(kMax)), g.f(kMin)), GraphOps.INT64);
    String[] pooled = new String[levels.size()];
    String[] members = new String[levels.size()];
    for (int l = 0; l < levels.size(); l++) {
      members[l] = g.where(g.op("Equal", level, g.l(l)));
      String mine = g.gather(boxes, members[l], 0);
      pooled[l] = roiAlignLevel(levels.get(l), mine, g.fillLong(g.shape(members[l]), 0), scales[l], outputSize);
    }
    String stacked = g.concat(0, pooled);
    // row i of the stack belongs to box order[i]; every box appears once, so every row is written
    String order = g.unsqueeze(g.concat(0, members), 1);
    return g.op("ScatterND", stacked, order, stacked);
  }

  private String roiAlignLevel(String feature, String boxes, String batchIndices, float scale, int outputSize) {
    // output_half_pixel is torchvision's aligned=False: no half-pixel shift, boxes at least 1x1
    return g.scope().node("RoiAlign").input(feature, boxes, batchIndices).attr("mode", "avg")
        .attr("output_height", (long) outputSize).attr("output_width", (long) outputSize)
        .attr("sampling_ratio", (long) config.roiHeads().samplingRatio()).attr("spatial_scale", scale)
        .attr("coordinate_transformation_mode", "output_half_pixel").output();
  }

  // ------------------------------------------------------------------------------------------
  // detections and masks

  /** {@code postprocess_detections}: returns {boxes (resized-image pixels), labels, scores}. */
  private String[] detections(String classLogits, String boxRegression, String proposals, String clipMax) {
    RoiHeadsConfig c = config.roiHeads();
    List<Double> w = c.bboxRegWeights();
    BoxCoder coder = BoxCoder.of(w.get(0), w.get(1), w.get(2), w.get(3));
    int classes = config.numClasses();
    String probs = g.scope().node("Softmax").input(classLogits).attr("axis", 1L).output();
    // an explicit class count: Reshape cannot infer -1 next to a copied 0 when there are no rows
    String deltas = g.reshape(boxRegression, -1, classes, 4);
    String boxes = clip(decode(deltas, g.unsqueeze(proposals, 1), coder), clipMax);
    // drop background: [R, K-1, 4] boxes and [R, K-1] scores, flattened (proposal, class) as torchvision
    String fgBoxes = g.slice(boxes, 1, classes, 1);
    String fgScores = g.slice(probs, 1, classes, 1);
    String masked = g.op("Where", large(fgBoxes, BoxPostProcessor.MIN_SIZE), fgScores, g.f(MASKED));
    // NMS per class: each foreground class is one batch entry with its own boxes, so no offsets
    String selected = nms(g.transpose(fgBoxes, 1, 0, 2), g.unsqueeze(g.transpose(masked, 1, 0), 1),
        (float) c.nmsThresh(), (float) c.scoreThresh());
    String cls = g.flat(g.slice(selected, 0, 1, 1));
    String row = g.flat(g.slice(selected, 2, 3, 1));
    String flatIndex = g.add(g.mul(row, g.l(classes - 1)), cls);
    String[] best = g.topK(g.gather(g.flat(fgScores), flatIndex, 0), c.detectionsPerImg());
    String chosen = g.gather(flatIndex, best[1], 0);
    String detBoxes = g.gather(g.reshape(fgBoxes, -1, 4), chosen, 0);
    String labels = g.add(g.gather(cls, best[1], 0), g.l(1));
    return new String[] {detBoxes, labels, best[0]};
  }

  /** {@code maskrcnn_inference}: the logits of each detection's class, through a sigmoid. */
  private String maskOfLabel(String logits, String labels) {
    String side = g.slice(g.shape(logits), 2, 4, 0);
    String planes = g.op("Reshape", logits, g.concat(0, g.longs(-1), side));
    String count = g.at(g.shape(labels), 0);
    String index = g.add(g.mul(g.range(count), g.l(config.numClasses())), labels);
    return g.op("Sigmoid", g.unsqueeze(g.gather(planes, index, 0), 1));
  }

  private static float[] floats(List<Double> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).floatValue();
    }
    return out;
  }
}
