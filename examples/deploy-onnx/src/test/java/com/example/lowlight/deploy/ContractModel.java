package com.example.lowlight.deploy;

import dev.lowlight.api.onnx.Dim;
import dev.lowlight.api.onnx.OnnxGraphBuilder;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.onnx.OnnxType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A small ONNX model with the exported model's contract ({@code image} float[1,3,H,W] in; {@code
 * boxes}, {@code labels}, {@code scores}, {@code masks} out; the metadata the exporter writes),
 * built with sdk-api's engine-free {@link OnnxGraphBuilder}. A deployment project has no training
 * stack to export a real Mask R-CNN with, and this graph has answers a test can compute by hand.
 *
 * <p>Three candidate detections, one per colour channel: candidate {@code i} scores {@code
 * BASE_SCORES[i] * clip(2 * mean(channel i), 0, 1)} and is dropped when that is 0; its box is
 * {@code REL_BOXES[i]} times the image's width and height; its mask is a fixed 28x28 pattern.
 */
final class ContractModel {

  /** Class names in the metadata, background first. */
  static final List<String> CLASS_NAMES = List.of("__background__", "person", "bicycle", "car");
  /** Candidate boxes, xyxy relative to the input size. */
  static final float[] REL_BOXES = {
      0.10f, 0.20f, 0.60f, 0.70f,
      0.50f, 0.10f, 0.90f, 0.50f,
      0.20f, 0.60f, 0.40f, 0.95f};
  /** Candidate labels. */
  static final long[] LABELS = {1, 3, 2};
  /** Candidate scores at full brightness of their channel. */
  static final float[] BASE_SCORES = {0.6f, 0.9f, 0.3f};
  static final int SIDE = 28;

  private ContractModel() {}

  /** Writes the model to {@code file}. */
  static Path write(Path file) throws IOException {
    OnnxGraphBuilder g = new OnnxGraphBuilder("contract-example");
    OnnxScope s = g.root();
    String image = g.input("image", OnnxType.FLOAT, Dim.of(1), Dim.of(3), Dim.dynamic("H"), Dim.dynamic("W"));
    String pooled = s.node("GlobalAveragePool").input(image).output();
    String means = s.node("Reshape").input(pooled, s.longs(3)).output();
    String doubled = s.node("Mul").input(means, s.scalar(2f)).output();
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
    g.metadata("class_names", "[\"__background__\", \"person\", \"bicycle\", \"car\"]");
    g.metadata("config", "num_classes: 4\n");
    g.metadata("sdk_version", "example");
    g.metadata("export_date", "2025-01-01T00:00:00Z");
    g.metadata("lowlight_contract", "1");
    g.save(file);
    return file;
  }

  /** A disc, a constant 0.8 and a left half. */
  private static float[] masks() {
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
}
