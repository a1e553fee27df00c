package dev.lowlight.data.coco;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads COCO instance files and results files with Jackson's streaming parser, so a file needs
 * little more heap than the records it becomes (polygons as {@code double[]}, counts as {@code
 * int[]} or the original string, never boxed lists).
 *
 * <p>Unknown keys ({@code licenses}, {@code keypoints}, ...) are skipped. Wrong types, missing
 * required fields, duplicate ids, references to missing images or categories, malformed RLE and
 * trailing content give a {@link CocoFormatException} naming the file, the JSON path (with the
 * annotation id) and the problem.
 *
 * <pre>{@code
 * CocoDataset gt = CocoReader.readDataset(Path.of("instances_val2017.json"));
 * List<CocoResult> dt = CocoReader.readResults(Path.of("detections.json"));
 * }</pre>
 */
public final class CocoReader {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CocoReader() {}

  /**
   * Reads an instances file.
   *
   * @param file the JSON file
   * @return the dataset, cross-checked
   * @throws IOException when the file cannot be read
   * @throws CocoFormatException when its content is not a valid COCO dataset
   */
  public static CocoDataset readDataset(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return readDataset(in, file.toString());
    }
  }

  /**
   * Reads an instances file from a stream (not closed).
   *
   * @param in the JSON bytes
   * @param source what to call the stream in messages
   * @return the dataset, cross-checked
   * @throws IOException when the stream fails
   * @throws CocoFormatException when its content is not a valid COCO dataset
   */
  public static CocoDataset readDataset(InputStream in, String source) throws IOException {
    try (JsonParser p = MAPPER.createParser(in)) {
      return new Reader(p, source).dataset();
    } catch (JsonProcessingException e) {
      throw new CocoFormatException(source, locationOf(e), "not valid JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  /**
   * Reads a results file ({@code [{"image_id", "category_id", "bbox", "score",
   * "segmentation"}]}).
   *
   * @param file the JSON file
   * @return the detections in file order
   * @throws IOException when the file cannot be read
   * @throws CocoFormatException when its content is not a valid results list
   */
  public static List<CocoResult> readResults(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return readResults(in, file.toString());
    }
  }

  /**
   * Reads a results file from a stream (not closed).
   *
   * @param in the JSON bytes
   * @param source what to call the stream in messages
   * @return the detections in file order
   * @throws IOException when the stream fails
   * @throws CocoFormatException when its content is not a valid results list
   */
  public static List<CocoResult> readResults(InputStream in, String source) throws IOException {
    try (JsonParser p = MAPPER.createParser(in)) {
      return new Reader(p, source).results();
    } catch (JsonProcessingException e) {
      throw new CocoFormatException(source, locationOf(e), "not valid JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr();
  }

  /** One pass over one document; holds the parser, the source name and scratch buffers. */
  private static final class Reader {
    private final JsonParser p;
    private final String source;
    private double[] dbuf = new double[64];
    private int[] ibuf = new int[64];

    Reader(JsonParser p, String source) {
      this.p = p;
      this.source = source == null ? "<input>" : source;
    }

    CocoFormatException error(String path, String problem) {
      return new CocoFormatException(source, path, problem);
    }

    // -------------------------------------------------------------- documents

    CocoDataset dataset() throws IOException {
      expect(p.nextToken(), JsonToken.START_OBJECT, "", "the top level");
      Map<String, Object> info = null;
      List<CocoImage> images = null;
      List<CocoCategory> categories = null;
      List<CocoAnnotation> annotations = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken t = p.nextToken();
        switch (key) {
          case "info" -> info = info(t);
          case "images" -> images = images(t);
          case "categories" -> categories = categories(t);
          case "annotations" -> annotations = annotations(t);
          default -> p.skipChildren();
        }
      }
      end();
      if (images == null) {
        throw error("images", "required list is missing");
      }
      if (categories == null) {
        throw error("categories", "required list is missing");
      }
      CocoDataset ds = new CocoDataset(info, images, categories,
          annotations == null ? List.of() : annotations);
      return ds.validate(source);
    }

    List<CocoResult> results() throws IOException {
      expect(p.nextToken(), JsonToken.START_ARRAY, "",
          "the top level of a results file (a list of detections)");
      List<CocoResult> out = new ArrayList<>();
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        out.add(result("[" + i + "]"));
        i++;
      }
      end();
      return out;
    }

    private void end() throws IOException {
      if (p.nextToken() != null) {
        throw error("", "unexpected content after the end of the document at line "
            + p.currentLocation().getLineNr());
      }
    }

    // -------------------------------------------------------------- sections

    @SuppressWarnings("unchecked")
    private Map<String, Object> info(JsonToken t) throws IOException {
      if (t == JsonToken.VALUE_NULL) {
        return null;
      }
      expect(t, JsonToken.START_OBJECT, "info", "info");
      return MAPPER.readValue(p, LinkedHashMap.class);
    }

    private List<CocoImage> images(JsonToken t) throws IOException {
      expect(t, JsonToken.START_ARRAY, "images", "images");
      List<CocoImage> out = new ArrayList<>();
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        String path = "images[" + i + "]";
        expect(p.currentToken(), JsonToken.START_OBJECT, path, "an image");
        Long id = null;
        String fileName = null;
        Integer width = null;
        Integer height = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          switch (key) {
            case "id" -> id = readLong(path + ".id");
            case "file_name" -> fileName = readString(path + ".file_name");
            case "width" -> width = readSide(path + ".width");
            case "height" -> height = readSide(path + ".height");
            default -> p.skipChildren();
          }
        }
        String where = id == null ? path : path + " (id " + id + ")";
        require(id, where, "id");
        require(fileName, where, "file_name");
        require(width, where, "width");
        require(height, where, "height");
        try {
          Rle.checkSize(height, width);
        } catch (IllegalArgumentException e) {
          throw error(where, e.getMessage());
        }
        out.add(new CocoImage(id, fileName, width, height));
        i++;
      }
      return out;
    }

    private List<CocoCategory> categories(JsonToken t) throws IOException {
      expect(t, JsonToken.START_ARRAY, "categories", "categories");
      List<CocoCategory> out = new ArrayList<>();
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        String path = "categories[" + i + "]";
        expect(p.currentToken(), JsonToken.START_OBJECT, path, "a category");
        Long id = null;
        String name = null;
        String supercategory = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          JsonToken vt = p.nextToken();
          switch (key) {
            case "id" -> id = readLong(path + ".id");
            case "name" -> name = readString(path + ".name");
            case "supercategory" ->
                supercategory = vt == JsonToken.VALUE_NULL ? null : readString(path + "."
                    + key);
            default -> p.skipChildren();
          }
        }
        String where = id == null ? path : path + " (id " + id + ")";
        require(id, where, "id");
        require(name, where, "name");
        out.add(new CocoCategory(id, name, supercategory));
        i++;
      }
      return out;
    }

    private List<CocoAnnotation> annotations(JsonToken t) throws IOException {
      expect(t, JsonToken.START_ARRAY, "annotations", "annotations");
      List<CocoAnnotation> out = new ArrayList<>();
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        String path = "annotations[" + i + "]";
        expect(p.currentToken(), JsonToken.START_OBJECT, path, "an annotation");
        Long id = null;
        Long imageId = null;
        Long categoryId = null;
        BoxXywh bbox = null;
        Double area = null;
        boolean iscrowd = false;
        Segmentation seg = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          JsonToken vt = p.nextToken();
          // The id may come after the value that is wrong; the message then names the index only.
          String where = (id == null ? path : path + " (id " + id + ")") + "." + key;
          switch (key) {
            case "id" -> id = readLong(where);
            case "image_id" -> imageId = readLong(where);
            case "category_id" -> categoryId = readLong(where);
            case "bbox" -> bbox = readBox(where);
            case "area" -> area = readDouble(where);
            case "iscrowd" -> iscrowd = readFlag(where);
            case "segmentation" -> seg = vt == JsonToken.VALUE_NULL ? null
                : readSegmentation(where);
            default -> p.skipChildren();
          }
        }
        String where = id == null ? path : path + " (id " + id + ")";
        require(id, where, "id");
        require(imageId, where, "image_id");
        require(categoryId, where, "category_id");
        require(bbox, where, "bbox");
        require(area, where, "area");
        out.add(new CocoAnnotation(id, imageId, categoryId, bbox, area, iscrowd, seg));
        i++;
      }
      return out;
    }

    private CocoResult result(String path) throws IOException {
      expect(p.currentToken(), JsonToken.START_OBJECT, path, "a detection");
      Long imageId = null;
      Long categoryId = null;
      Double score = null;
      BoxXywh bbox = null;
      Segmentation seg = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken vt = p.nextToken();
        String where = path + "." + key;
        switch (key) {
          case "image_id" -> imageId = readLong(where);
          case "category_id" -> categoryId = readLong(where);
          case "score" -> score = readDouble(where);
          case "bbox" -> bbox = vt == JsonToken.VALUE_NULL ? null : readBox(where);
          case "segmentation" -> seg = vt == JsonToken.VALUE_NULL ? null
              : readSegmentation(where);
          default -> p.skipChildren();
        }
      }
      require(imageId, path, "image_id");
      require(categoryId, path, "category_id");
      require(score, path, "score");
      if (bbox == null && seg == null) {
        throw error(path, "a detection needs a bbox or a segmentation");
      }
      return new CocoResult(imageId, categoryId, bbox, score, seg);
    }

    // -------------------------------------------------------------- values

    private void require(Object v, String where, String field) {
      if (v == null) {
        throw error(where, "required field '" + field + "' is missing");
      }
    }

    private void expect(JsonToken got, JsonToken want, String path, String what)
        throws IOException {
      if (got != want) {
        throw error(path, what + " must be " + describe(want) + ", got " + describe(got));
      }
    }

    private String describe(JsonToken t) throws IOException {
      if (t == null) {
        return "the end of the input";
      }
      return switch (t) {
        case START_OBJECT -> "an object";
        case START_ARRAY -> "a list";
        case VALUE_STRING -> "the string \"" + abbreviate(p.getText()) + "\"";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + abbreviate(p.getText());
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case VALUE_NULL -> "null";
        default -> t.toString();
      };
    }

    private static String abbreviate(String s) {
      return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private long readLong(String path) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT) {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw error(path, "integer " + abbreviate(p.getText()) + " is out of range");
        }
        return p.getLongValue();
      }
      if (t == JsonToken.VALUE_NUMBER_FLOAT) {
        // Python writers sometimes emit 3.0 for an id; accept whole numbers that are exact.
        double v = p.getDoubleValue();
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
          return (long) v;
        }
      }
      throw error(path, "must be an integer, got " + describe(t));
    }

    private int readSide(String path) throws IOException {
      long v = readLong(path);
      if (v < 1 || v > Integer.MAX_VALUE) {
        throw error(path, "must be a positive pixel count, got " + v);
      }
      return (int) v;
    }

    private double readDouble(String path) throws IOException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
        throw error(path, "must be a number, got " + describe(t));
      }
      double v = p.getDoubleValue();
      if (!Double.isFinite(v)) {
        throw error(path, "must be finite, got " + abbreviate(p.getText()));
      }
      return v;
    }

    private String readString(String path) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw error(path, "must be a string, got " + describe(p.currentToken()));
      }
      return p.getText();
    }

    private boolean readFlag(String path) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
        return t == JsonToken.VALUE_TRUE;
      }
      if (t == JsonToken.VALUE_NUMBER_INT) {
        long v = readLong(path);
        if (v == 0 || v == 1) {
          return v == 1;
        }
      }
      throw error(path, "must be 0 or 1, got " + describe(t));
    }

    private BoxXywh readBox(String path) throws IOException {
      double[] v = readNumbers(path, "a box [x, y, w, h]");
      if (v.length != 4) {
        throw error(path, "a box needs 4 numbers [x, y, w, h], got " + v.length);
      }
      if (v[2] < 0 || v[3] < 0) {
        throw error(path, "box width and height must not be negative, got " + v[2] + "x" + v[3]);
      }
      return new BoxXywh(v[0], v[1], v[2], v[3]);
    }

    /** Reads a list of numbers into the scratch buffer and returns an exact-size copy. */
    private double[] readNumbers(String path, String what) throws IOException {
      expect(p.currentToken(), JsonToken.START_ARRAY, path, what);
      int n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (n == dbuf.length) {
          dbuf = Arrays.copyOf(dbuf, n * 2);
        }
        dbuf[n] = readDouble(path + "[" + n + "]");
        n++;
      }
      return Arrays.copyOf(dbuf, n);
    }

    private Segmentation readSegmentation(String path) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.START_ARRAY) {
        List<double[]> parts = new ArrayList<>(1);
        while (p.nextToken() != JsonToken.END_ARRAY) {
          String pp = path + "[" + parts.size() + "]";
          double[] poly = readNumbers(pp, "a polygon");
          if (poly.length < 4 || poly.length % 2 != 0) {
            throw error(pp, "a polygon needs an even number of at least 4 coordinates, got "
                + poly.length);
          }
          for (int i = 0; i < poly.length; i++) {
            if (Math.abs(poly[i]) > MaskApi.MAX_POLYGON_COORDINATE) {
              throw error(pp + "[" + i + "]", "coordinate " + poly[i] + " is beyond "
                  + MaskApi.MAX_POLYGON_COORDINATE);
            }
          }
          parts.add(poly);
        }
        return new Segmentation.Polygons(parts);
      }
      if (t != JsonToken.START_OBJECT) {
        throw error(path, "must be a list of polygons or an RLE object, got " + describe(t));
      }
      long[] size = null;
      int[] counts = null;
      String compressed = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken vt = p.nextToken();
        switch (key) {
          case "size" -> size = readSize(path + ".size");
          case "counts" -> {
            if (vt == JsonToken.VALUE_STRING) {
              compressed = p.getText();
              counts = null;
            } else if (vt == JsonToken.START_ARRAY) {
              counts = readCounts(path + ".counts");
              compressed = null;
            } else {
              throw error(path + ".counts", "must be a string or a list of integers, got "
                  + describe(vt));
            }
          }
          default -> p.skipChildren();
        }
      }
      if (size == null) {
        throw error(path, "an RLE object needs 'size' [height, width]");
      }
      if (counts == null && compressed == null) {
        throw error(path, "an RLE object needs 'counts'");
      }
      int h = (int) size[0];
      int w = (int) size[1];
      if (compressed != null) {
        try {
          MaskApi.fromCompressedString(compressed, h, w);
        } catch (CocoFormatException e) {
          throw e.locate(source, path);
        }
        return new Segmentation.CompressedRle(h, w, compressed);
      }
      try {
        new Rle(h, w, counts);
      } catch (IllegalArgumentException e) {
        throw error(path + ".counts", e.getMessage());
      }
      return new Segmentation.UncompressedRle(h, w, counts);
    }

    private long[] readSize(String path) throws IOException {
      expect(p.currentToken(), JsonToken.START_ARRAY, path, "size [height, width]");
      long[] s = new long[2];
      int n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        long v = readLong(path + "[" + n + "]");
        if (n < 2) {
          s[n] = v;
        }
        n++;
      }
      if (n != 2) {
        throw error(path, "size must be [height, width], got " + n + " numbers");
      }
      try {
        Rle.checkSize(s[0], s[1]);
      } catch (IllegalArgumentException e) {
        throw error(path, e.getMessage());
      }
      return s;
    }

    private int[] readCounts(String path) throws IOException {
      int n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        long v = readLong(path + "[" + n + "]");
        if (v < 0 || v > Rle.MAX_PIXELS) {
          throw error(path + "[" + n + "]", "run length must be in 0.." + Rle.MAX_PIXELS
              + ", got " + v);
        }
        if (n == ibuf.length) {
          ibuf = Arrays.copyOf(ibuf, n * 2);
        }
        ibuf[n++] = (int) v;
      }
      return Arrays.copyOf(ibuf, n);
    }
  }
}
