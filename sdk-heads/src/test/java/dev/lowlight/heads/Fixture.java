package dev.lowlight.heads;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** A torchvision fixture written by tools/fixtures/make_head_fixtures.py. */
public final class Fixture {

  private final String name;
  private final JsonObject doc;
  private final ByteBuffer blob;

  private Fixture(String name, JsonObject doc, ByteBuffer blob) {
    this.name = name;
    this.doc = doc;
    this.blob = blob;
  }

  /** Loads {@code torchvision/NAME.json} (and its .bin) from the test classpath. */
  public static Fixture load(String name) {
    try (InputStream in = resource(name + ".json")) {
      JsonObject doc = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
      ByteBuffer blob = null;
      if (doc.has("bin")) {
        try (InputStream b = resource(name + ".bin")) {
          blob = ByteBuffer.wrap(b.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
      }
      return new Fixture(name, doc, blob);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resource(String file) {
    InputStream in = Fixture.class.getResourceAsStream("/torchvision/" + file);
    if (in == null) {
      throw new IllegalStateException("missing fixture torchvision/" + file
          + "; run /usr/bin/python3 tools/fixtures/make_head_fixtures.py");
    }
    return in;
  }

  public JsonElement param(String key) {
    return doc.getAsJsonObject("params").get(key);
  }

  public int[] ints(String param) {
    JsonArray a = param(param).getAsJsonArray();
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  public boolean has(String array) {
    return doc.getAsJsonObject("arrays").has(array);
  }

  public long[] shape(String array) {
    JsonArray a = entry(array).getAsJsonArray("shape");
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsLong();
    }
    return out;
  }

  private JsonObject entry(String array) {
    JsonObject e = doc.getAsJsonObject("arrays").getAsJsonObject(array);
    if (e == null) {
      throw new IllegalArgumentException("fixture " + name + " has no array " + array);
    }
    return e;
  }

  private int size(String array) {
    long n = 1;
    for (long d : shape(array)) {
      n *= d;
    }
    return (int) n;
  }

  public float[] floats(String array) {
    JsonObject e = entry(array);
    int n = size(array);
    float[] out = new float[n];
    boolean isLong = e.get("dtype").getAsString().equals("int64");
    if (e.has("data")) {
      JsonArray d = e.getAsJsonArray("data");
      for (int i = 0; i < n; i++) {
        out[i] = d.get(i).getAsFloat();
      }
    } else {
      int off = e.get("offset").getAsInt();
      for (int i = 0; i < n; i++) {
        out[i] = isLong ? blob.getLong(off + 8 * i) : blob.getFloat(off + 4 * i);
      }
    }
    return out;
  }

  public int[] ints(String array, boolean isArray) {
    float[] f = floats(array);
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = Math.round(f[i]);
    }
    return out;
  }
}
