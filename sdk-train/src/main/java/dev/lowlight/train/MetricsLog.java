package dev.lowlight.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.data.loading.BatchSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code metrics.jsonl}: one {@code "type": "train"} line per iteration and one {@code
 * "type": "validation"} line per validation, each flushed at once so that a crash loses nothing.
 * Counts its lines, which a checkpoint records so that a resumed run can drop the lines written
 * after it ({@link #truncate}).
 */
final class MetricsLog implements TrainingListener, AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter writer;
  private final BatchSource data;
  private final long t0;
  private long lines;

  /**
   * Appends to {@code file}.
   *
   * @param data the training data, whose position each train line records
   * @param t0 {@link System#nanoTime} at the start of the run, the origin of each line's {@code time}
   */
  MetricsLog(Path file, BatchSource data, long t0) throws IOException {
    this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    this.data = data;
    this.t0 = t0;
    this.lines = countLines(file);
  }

  /** Lines in the file, those of earlier processes of the run included. */
  long lines() {
    return lines;
  }

  /** Flushes, so that a checkpoint never records lines that are not on disk yet. */
  void flush() throws IOException {
    writer.flush();
  }

  @Override
  public void onStep(StepResult step) throws IOException {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("type", "train");
    line.put("iteration", step.iteration());
    line.put("lr", step.lr());
    line.put("loss", step.loss());
    line.putAll(step.losses());
    line.put("grad_norm", step.gradNorm());
    line.put("data_position", data.position());
    line.put("time", (System.nanoTime() - t0) / 1e9);
    write(line);
  }

  @Override
  public void onValidation(ValidationResult validation) throws IOException {
    Validator.Result r = validation.result();
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("type", "validation");
    v.put("iteration", validation.iteration());
    v.put("bbox", r.bbox().stats().asMap());
    v.put("segm", r.segm().stats().asMap());
    v.put("detections", r.detections());
    v.put("denoiser_w", validation.denoiserWeights());
    v.put("denoisers", validation.denoiserReports());
    write(v);
  }

  private void write(Map<String, Object> line) throws IOException {
    writer.write(JSON.writeValueAsString(line));
    writer.newLine();
    writer.flush();
    lines++;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }

  private static long countLines(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (var s = Files.lines(file)) {
      return s.count();
    }
  }

  /** Drops the metric lines written after the checkpoint a run resumes from. */
  static void truncate(Path file, long keep) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<String> lines = Files.readAllLines(file);
    if (lines.size() > keep) {
      Files.write(file, lines.subList(0, (int) keep));
    }
  }
}
