package dev.lowlight.model.parity;

import dev.lowlight.api.testing.FixtureRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.model.io.TorchvisionImport;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fixtures of {@code tools/fixtures/make_model_fixtures.py}: {@code parity.json} (index and
 * per-image facts), {@code parity.bin} (float32 tensors) and {@code heads.pth} (the non-backbone
 * weights, as torchvision 0.14 saved them).
 */
final class ParityFixture {

  static final String DIR = "/torchvision/model/";

  /** The SDK configuration of the script's model. */
  static final String CONFIG = """
      num_classes: 5
      backbone: {name: resnet18}
      neck: {name: fpn, options: {out_channels: 32}}
      transform: {min_size: 96, max_size: 128}
      roi_heads:
        box_head: {name: two-mlp, options: {representation_size: 64}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [16, 16], dim_reduced: 16}}
        detections_per_img: 50
      """;

  final JsonNode meta;
  private final float[] blob;
  private final Map<String, JsonNode> index = new LinkedHashMap<>();

  ParityFixture() throws IOException {
    try (InputStream in = ParityFixture.class.getResourceAsStream(DIR + "parity.json")) {
      meta = new ObjectMapper().readTree(in);
    }
    byte[] bytes;
    try (InputStream in = ParityFixture.class.getResourceAsStream(DIR + "parity.bin")) {
      bytes = in.readAllBytes();
    }
    blob = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(blob);
    meta.get("tensors").forEach(t -> index.put(t.get("name").asText(), t));
  }

  static Path resource(String name) {
    try {
      return Path.of(ParityFixture.class.getResource(DIR + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean has(String name) {
    return index.containsKey(name);
  }

  float[] tensor(String name) {
    JsonNode t = index.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor " + name + " in parity.json");
    }
    int n = 1;
    for (JsonNode d : t.get("shape")) {
      n *= d.asInt();
    }
    float[] out = new float[n];
    System.arraycopy(blob, t.get("offset").asInt(), out, 0, n);
    return out;
  }

  long[] shape(String name) {
    JsonNode s = index.get(name).get("shape");
    long[] out = new long[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.get(i).asLong();
    }
    return out;
  }

  /** The input image (stored channels first) as the SDK's interleaved image. */
  RgbImage image(JsonNode img) {
    int h = img.get("height").asInt();
    int w = img.get("width").asInt();
    float[] chw = tensor(img.get("name").asText() + ".input_chw");
    float[] hwc = new float[chw.length];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < h * w; i++) {
        hwc[i * 3 + c] = chw[c * h * w + i];
      }
    }
    return new RgbImage(w, h, hwc);
  }

  /** torchvision's pasted binary mask of detection {@code i} ({@code H×W}). */
  static boolean[] pastedMask(JsonNode img, int i) {
    int plane = img.get("height").asInt() * img.get("width").asInt();
    byte[] bits = Base64.getDecoder().decode(img.get("pasted_masks_packbits").asText());
    boolean[] out = new boolean[plane];
    for (int p = 0; p < plane; p++) {
      long bit = (long) i * plane + p;
      out[p] = ((bits[(int) (bit >>> 3)] >> (7 - (int) (bit & 7))) & 1) != 0;
    }
    return out;
  }

  /** The whole torchvision state dict: generated body plus the committed heads. */
  StateDict stateDict() throws IOException {
    Map<String, TensorData> all = new LinkedHashMap<>();
    meta.get("body_state_dict").fields().forEachRemaining(e -> {
      long[] shape = new long[e.getValue().size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = e.getValue().get(i).asLong();
      }
      all.put(e.getKey(), TensorData.ofFloats(shape, FixtureRandom.fill(e.getKey(), shape)));
    });
    all.putAll(TorchvisionImport.readCheckpoint(resource("heads.pth")).tensors());
    return new StateDict(all);
  }

  static boolean exists() {
    return ParityFixture.class.getResource(DIR + "parity.json") != null && Files.exists(resource("heads.pth"));
  }
}
