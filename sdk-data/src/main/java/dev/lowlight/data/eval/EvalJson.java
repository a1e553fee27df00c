package dev.lowlight.data.eval;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes evaluation results as JSON:
 *
 * <pre>{@code
 * {"bbox": {"AP": 0.504, "AP50": ..., "ARl": ..., "per_category_AP": {"1": 0.61, ...}},
 *  "segm": {...}}
 * }</pre>
 *
 * <p>-1 stands where pycocotools gives -1 (nothing to average).
 */
public final class EvalJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EvalJson() {}

  /**
   * Writes the results to a file.
   *
   * @param results results by IoU type, written in the map's order
   * @param file the file to create or replace
   * @throws IOException when writing fails
   */
  public static void write(Map<IouType, EvalResult> results, Path file) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      write(results, out);
    }
  }

  /**
   * Writes the results to a stream (flushed, not closed).
   *
   * @param results results by IoU type, written in the map's order
   * @param out the stream
   * @throws IOException when writing fails
   */
  public static void write(Map<IouType, EvalResult> results, OutputStream out)
      throws IOException {
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      for (Map.Entry<IouType, EvalResult> e : results.entrySet()) {
        g.writeObjectFieldStart(e.getKey().jsonName());
        for (Map.Entry<String, Double> s : e.getValue().stats().asMap().entrySet()) {
          g.writeNumberField(s.getKey(), s.getValue());
        }
        g.writeObjectFieldStart("per_category_AP");
        for (Map.Entry<Long, Double> c : e.getValue().perCategoryAp().entrySet()) {
          g.writeNumberField(Long.toString(c.getKey()), c.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndObject();
    }
  }
}
