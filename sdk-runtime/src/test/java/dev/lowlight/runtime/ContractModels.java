package dev.lowlight.runtime;

import dev.lowlight.api.onnx.Dim;
import dev.lowlight.api.onnx.OnnxGraphBuilder;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.onnx.OnnxType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small ONNX models that follow the lowlight contract, built with {@link OnnxGraphBuilder} so that
 * every test runs a real ORT session without depending on the exporter. The graph has three
 * candidate detections; their scores are {@link #BASE_SCORES} times {@code clip(2 * mean(image),
 * 0, 1)}, and candidates whose score is 0 are dropped through {@code Greater → NonZero → Gather},
 * so an all-black image gives N = 0. Boxes are {@link #REL_BOXES} times the input's width/height.
 */
public final class ContractModels {

  /** Class names written as metadata. */
  public static final List<String> CLASS_NAMES = List.of("__background__", "cat", "dog", "car");
  /** Candidate boxes, xyxy relative to the input size. */
  public static final float[] REL_BOXES = {
      0.10f, 0.20f, 0.60f, 0.70f,
      0.50f, 0.10f, 0.90f, 0.50f,
      0.20f, 0.60f, 0.40f, 0.95f};
  /** Candidate labels. */
  public static final long[] LABELS = {1, 3, 2};
  /** Candidate scores before the brightness factor; not sorted, so the runtime's sort is tested. */
  public static final float[] BASE_SCORES = {0.6f, 0.9f, 0.3f};
  /** Mask side. */
  public static final int SIDE = 28;

  private ContractModels() {}

  /** The masks: a disc, a constant 0.8 and a left half. */
  public static float[] masks() {
    float[] m = new float[3 * SIDE * SIDE];
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        double dx = x + 0.5 - SIDE / 2.0;
        double dy = y + 0.5 - SIDE / 2.0;
        m[y * SIDE + x] = dx * dx + dy * dy < 10 * 10 ? 0.9f : 0.1f;
        m[SIDE * SIDE + y * SIDE + x] = 0.8f;
        m[2 * SIDE * SIDE + y * SIDE + x] = x < SIDE / 2 ? 0.9f : 0.1f;
      }
    }
    return m;
  }

  /** The brightness factor the graph applies: {@code clip(2 * mean, 0, 1)}. */
  public static double factor(float[] chw) {
    double s = 0;
    for (float v : chw) {
      s += v;
    }
    return Math.max(0, Math.min(1, 2 * s / chw.length));
  }

  /** The default metadata of a contract model. */
  public static Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("class_names", "[\"__background__\", \"cat\", \"dog\", \"car\"]");
    m.put("config", "num_classes: 4\n");
    m.put("sdk_version", "0.1.0-test");
    m.put("export_date", "2025-01-01T00:00:00Z");
    m.put("lowlight_contract", "1");
    return m;
  }

  /** A model with dynamic H and W. */
  public static Path dynamic(Path dir) throws IOException {
    return write(dir.resolve("dynamic.onnx"), 0, 0, metadata());
  }

  /** A model with a fixed input size. */
  public static Path fixed(Path dir, int h, int w) throws IOException {
    return write(dir.resolve("static-" + h + "x" + w + ".onnx"), h, w, metadata());
  }

  /** A model with dynamic H and W and the given metadata. */
  public static Path withMetadata(Path file, Map<String, String> metadata) throws IOException {
    return write(file, 0, 0, metadata);
  }

  private static Path write(Path file, int h, int w, Map<String, String> metadata) throws IOException {
    OnnxGraphBuilder g = new OnnxGraphBuilder("contract-test");
    OnnxScope s = g.root();
    Dim dh = h > 0 ? Dim.of(h) : Dim.dynamic("H");
    Dim dw = w > 0 ? Dim.of(w) : Dim.dynamic("W");
    String image = g.input("image", OnnxType.FLOAT, Dim.of(1), Dim.of(3), dh, dw);
    String mean = s.node("ReduceMean").input(image).attr("keepdims", 0L).output();
    String doubled = s.node("Mul").input(mean, s.scalar(2f)).output();
    String factor = s.node("Clip").input(doubled, s.scalar(0f), s.scalar(1f)).output();
    String allScores = s.node("Mul").input(s.constant(BASE_SCORES, 3), factor).output();
    String positive = s.node("Greater").input(allScores, s.scalar(0f)).output();
    String nz = s.node("NonZero").input(positive).output();
    String idx = s.node("Reshape").input(nz, s.longs(-1)).output();
    String shape = s.node("Shape").input(image).output();
    String whwh = s.node("Gather").input(shape, s.longs(3, 2, 3, 2)).attr("axis", 0L).output();
    String whwhF = s.node("Cast").input(whwh).attr("to", (long) OnnxType.FLOAT.code()).output();
    String allBoxes = s.node("Mul").input(s.constant(REL_BOXES, 3, 4), whwhF).output();
    String boxes = s.node("Gather").input(allBoxes, idx).attr("axis", 0L).output();
    String labels = s.node("Gather").input(s.constant(LABELS, 3), idx).attr("axis", 0L).output();
    String scores = s.node("Gather").input(allScores, idx).attr("axis", 0L).output();
    String masks = s.node("Gather").input(s.constant(masks(), 3, 1, SIDE, SIDE), idx).attr("axis", 0L).output();
    Dim n = Dim.dynamic("N");
    g.output(boxes, "boxes", OnnxType.FLOAT, n, Dim.of(4));
    g.output(labels, "labels", OnnxType.INT64, n);
    g.output(scores, "scores", OnnxType.FLOAT, n);
    g.output(masks, "masks", OnnxType.FLOAT, n, Dim.of(1), Dim.of(SIDE), Dim.of(SIDE));
    metadata.forEach(g::metadata);
    g.save(file);
    return file;
  }

  /** A model from "another tool": an NHWC classifier with other names. */
  public static Path foreign(Path dir) throws IOException {
    OnnxGraphBuilder g = new OnnxGraphBuilder("classifier");
    OnnxScope s = g.root();
    String in = g.input("input_1", OnnxType.FLOAT, Dim.of(1), Dim.of(224), Dim.of(224), Dim.of(3));
    String pooled = s.node("ReduceMean").input(in).attr("axes", 1L, 2L).attr("keepdims", 0L).output();
    g.output(pooled, "logits", OnnxType.FLOAT, Dim.of(1), Dim.of(3));
    Path file = dir.resolve("classifier.onnx");
    g.save(file);
    return file;
  }

  /** A uniform image of {@code value}, planar. */
  public static float[] uniform(int h, int w, float value) {
    float[] chw = new float[3 * h * w];
    java.util.Arrays.fill(chw, value);
    return chw;
  }
}
