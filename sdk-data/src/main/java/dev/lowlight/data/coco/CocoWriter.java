package dev.lowlight.data.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes COCO instance files and results files with Jackson's streaming generator, in the layout
 * pycocotools reads: results carry masks as compressed RLE whose {@code counts} is a string.
 *
 * <pre>{@code
 * CocoWriter.writeResults(detections, Path.of("detections.json"));
 * }</pre>
 */
public final class CocoWriter {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CocoWriter() {}

  /**
   * Writes an instances file.
   *
   * @param dataset the dataset
   * @param file the file to create or replace
   * @throws IOException when writing fails
   */
  public static void writeDataset(CocoDataset dataset, Path file) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      writeDataset(dataset, out);
    }
  }

  /**
   * Writes an instances file to a stream (flushed, not closed).
   *
   * @param dataset the dataset
   * @param out the stream
   * @throws IOException when writing fails
   */
  public static void writeDataset(CocoDataset dataset, OutputStream out) throws IOException {
    try (JsonGenerator g = generator(out)) {
      g.writeStartObject();
      if (!dataset.info().isEmpty()) {
        g.writeFieldName("info");
        MAPPER.writeValue(g, dataset.info());
      }
      g.writeArrayFieldStart("images");
      for (CocoImage i : dataset.images()) {
        g.writeStartObject();
        g.writeNumberField("id", i.id());
        g.writeStringField("file_name", i.fileName());
        g.writeNumberField("width", i.width());
        g.writeNumberField("height", i.height());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("categories");
      for (CocoCategory c : dataset.categories()) {
        g.writeStartObject();
        g.writeNumberField("id", c.id());
        g.writeStringField("name", c.name());
        if (c.supercategory() != null) {
          g.writeStringField("supercategory", c.supercategory());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("annotations");
      for (CocoAnnotation a : dataset.annotations()) {
        g.writeStartObject();
        g.writeNumberField("id", a.id());
        g.writeNumberField("image_id", a.imageId());
        g.writeNumberField("category_id", a.categoryId());
        writeBox(g, a.bbox());
        g.writeNumberField("area", a.area());
        g.writeNumberField("iscrowd", a.iscrowd() ? 1 : 0);
        if (a.segmentation() != null) {
          g.writeFieldName("segmentation");
          writeSegmentation(g, a.segmentation(), false);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  /**
   * Writes a results file.
   *
   * @param results the detections
   * @param file the file to create or replace
   * @throws IOException when writing fails
   * @throws IllegalArgumentException when a detection's mask is a polygon (rasterise it first
   *     with {@link MaskApi#toRle(Segmentation, int, int)})
   */
  public static void writeResults(List<CocoResult> results, Path file) throws IOException {
    writeResults(results, Map.of(), file);
  }

  /**
   * Writes a results file whose entries also carry the {@code file_name} of their image (an
   * extra key pycocotools ignores), for predictions on images that have no annotation file.
   *
   * @param fileNames file name by image id; images missing from the map get no {@code file_name}
   */
  public static void writeResults(List<CocoResult> results, Map<Long, String> fileNames, Path file) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      writeResults(results, fileNames, out);
    }
  }

  /**
   * Writes a results file to a stream (flushed, not closed). Uncompressed masks are compressed,
   * because pycocotools' {@code loadRes} only accepts string counts.
   *
   * @param results the detections
   * @param out the stream
   * @throws IOException when writing fails
   */
  public static void writeResults(List<CocoResult> results, OutputStream out) throws IOException {
    writeResults(results, Map.of(), out);
  }

  /**
   * Writes a results file whose entries carry their image's {@code file_name} to a stream
   * (flushed, not closed).
   *
   * @param fileNames file name by image id; images missing from the map get no {@code file_name}
   */
  public static void writeResults(List<CocoResult> results, Map<Long, String> fileNames, OutputStream out)
      throws IOException {
    try (JsonGenerator g = generator(out)) {
      g.writeStartArray();
      for (CocoResult r : results) {
        g.writeStartObject();
        g.writeNumberField("image_id", r.imageId());
        g.writeNumberField("category_id", r.categoryId());
        if (r.bbox() != null) {
          writeBox(g, r.bbox());
        }
        g.writeNumberField("score", r.score());
        if (r.segmentation() != null) {
          g.writeFieldName("segmentation");
          writeSegmentation(g, r.segmentation(), true);
        }
        String fileName = fileNames.get(r.imageId());
        if (fileName != null) {
          g.writeStringField("file_name", fileName);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    }
  }

  private static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8);
    // The caller owns the stream; the generator only flushes it.
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return g;
  }

  private static void writeBox(JsonGenerator g, BoxXywh b) throws IOException {
    g.writeFieldName("bbox");
    g.writeArray(b.toArray(), 0, 4);
  }

  private static void writeSegmentation(JsonGenerator g, Segmentation s, boolean compress)
      throws IOException {
    if (s instanceof Segmentation.Polygons p) {
      if (compress) {
        throw new IllegalArgumentException("results need RLE masks; rasterise polygons with "
            + "MaskApi.toRle(segmentation, imageHeight, imageWidth) first");
      }
      g.writeStartArray();
      for (double[] poly : p.polygons()) {
        g.writeArray(poly, 0, poly.length);
      }
      g.writeEndArray();
      return;
    }
    g.writeStartObject();
    g.writeFieldName("size");
    if (s instanceof Segmentation.UncompressedRle u) {
      g.writeArray(new int[] {u.height(), u.width()}, 0, 2);
      g.writeFieldName("counts");
      if (compress) {
        g.writeString(MaskApi.toCompressedString(new Rle(u.height(), u.width(), u.counts())));
      } else {
        g.writeArray(u.counts(), 0, u.counts().length);
      }
    } else {
      Segmentation.CompressedRle c = (Segmentation.CompressedRle) s;
      g.writeArray(new int[] {c.height(), c.width()}, 0, 2);
      g.writeStringField("counts", c.counts());
    }
    g.writeEndObject();
  }
}
