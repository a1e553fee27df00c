package dev.lowlight.model.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/** Seeded weights, test images and an ONNX Runtime runner shared by the export tests. */
final class ExportFixtures {

  /** A narrow model (as {@code MaskRcnnTest}'s) that runs in well under a second per image. */
  static final String SMALL = """
      num_classes: 4
      class_names: [cat, dog, car]
      backbone: {name: resnet18}
      neck: {name: fpn, options: {out_channels: 32}}
      transform: {min_size: 96, max_size: 128}
      roi_heads:
        box_head: {name: two-mlp, options: {representation_size: 64}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [16, 16], dim_reduced: 16}}
      """;

  private static final java.util.regex.Pattern PREDICTORS =
      java.util.regex.Pattern.compile("cls_score|bbox_pred|cls_logits|mask_fcn_logits");
  /**
   * He-scale gains: below 1 for the body so activations stay near unit scale through the
   * depth (random weights at full He scale amplify float rounding between engines to 1e-3 px),
   * smaller for the predictors so scores spread over (0.3, 0.7) instead of saturating.
   */
  private static final float PREDICTOR_GAIN = 0.1f;
  private static final float CONV_GAIN = 0.8f;
  private static final float GAMMA_LO = 0.9f;
  private static final float GAMMA_HI = 1.1f;



  private ExportFixtures() {}

  /**
   * Overwrites every parameter with seeded values that make each part matter: batch-norm
   * statistics and affine terms away from the identity (so folding changes the weights), weighted
   * non-local blends at {@code w = 0.3}, He-scaled convolution and linear weights.
   */
  static void randomize(MaskRcnn model, long seed) {
    Random r = new Random(seed);
    for (Map.Entry<String, Parameter> e : TorchNames.parameters(model.parameters()).entrySet()) {
      String name = e.getKey();
      NDArray a = e.getValue().getArray();
      long[] dims = a.getShape().getShape();
      int n = (int) a.size();
      float[] v = new float[n];
      String leaf = name.substring(name.lastIndexOf('.') + 1);
      for (int i = 0; i < n; i++) {
        if (leaf.equals("w")) {
          v[i] = 0.3f;
        } else if (leaf.equals("running_var")) {
          v[i] = 0.5f + r.nextFloat();
        } else if (leaf.equals("running_mean")) {
          v[i] = 0.2f * (r.nextFloat() - 0.5f);
        } else if (dims.length == 1 && leaf.equals("weight")) {
          v[i] = GAMMA_LO + (GAMMA_HI - GAMMA_LO) * r.nextFloat();
        } else if (dims.length == 1) {
          v[i] = 0.2f * (r.nextFloat() - 0.5f);
        } else {
          long fanIn = n / dims[0];
          // the predictors get small weights so that logits, scores and box deltas stay in the
          // range of a trained model instead of saturating the softmax and the exp of the decoder
          float gain = PREDICTORS.matcher(name).find() ? PREDICTOR_GAIN : CONV_GAIN;
          v[i] = (float) (gain * r.nextGaussian() * Math.sqrt(2.0 / fanIn));
        }
      }
      a.set(FloatBuffer.wrap(v));
    }
  }

  /** Smooth colour blobs on a gradient, with seeded noise: something for random weights to find. */
  static RgbImage scene(int width, int height, long seed) {
    Random r = new Random(seed);
    float[] p = new float[width * height * 3];
    int blobs = 3;
    float[][] b = new float[blobs][];
    for (int k = 0; k < blobs; k++) {
      b[k] = new float[] {r.nextFloat() * width, r.nextFloat() * height, 4 + r.nextFloat() * width / 3f,
          r.nextFloat(), r.nextFloat(), r.nextFloat()};
    }
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          float v = 0.2f * x / width + 0.1f * c;
          for (float[] q : b) {
            float dx = (x - q[0]) / q[2];
            float dy = (y - q[1]) / q[2];
            if (dx * dx + dy * dy < 1) {
              v = q[3 + c];
            }
          }
          p[(y * width + x) * 3 + c] = Math.min(1f, Math.max(0f, v + 0.05f * (r.nextFloat() - 0.5f)));
        }
      }
    }
    return new RgbImage(width, height, p);
  }

  /** Uniform noise. */
  static RgbImage noise(int width, int height, long seed) {
    Random r = new Random(seed);
    float[] p = new float[width * height * 3];
    for (int i = 0; i < p.length; i++) {
      p[i] = r.nextFloat();
    }
    return new RgbImage(width, height, p);
  }

  /** Runs an exported model on ONNX Runtime's CPU provider. */
  static Predictions run(OrtSession session, RgbImage image) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(image.toChw()),
        new long[] {1, 3, image.height(), image.width()});
        OrtSession.Result out = session.run(Map.of(OnnxExporter.INPUT, in))) {
      OnnxTensor boxes = (OnnxTensor) out.get(OnnxExporter.BOXES).orElseThrow();
      OnnxTensor labels = (OnnxTensor) out.get(OnnxExporter.LABELS).orElseThrow();
      OnnxTensor scores = (OnnxTensor) out.get(OnnxExporter.SCORES).orElseThrow();
      OnnxTensor masks = (OnnxTensor) out.get(OnnxExporter.MASKS).orElseThrow();
      long[] ms = masks.getInfo().getShape();
      checkShape(boxes, "boxes", -1, 4);
      checkShape(masks, "masks", -1, 1, -1, -1);
      long n = boxes.getInfo().getShape()[0];
      if (labels.getInfo().getShape()[0] != n || scores.getInfo().getShape()[0] != n || ms[0] != n) {
        throw new AssertionError("outputs disagree on N: boxes " + n + ", labels " + labels.getInfo().getShape()[0]
            + ", scores " + scores.getInfo().getShape()[0] + ", masks " + ms[0]);
      }
      return new Predictions(image.width(), image.height(), floats(boxes), longs(labels), floats(scores),
          floats(masks), (int) ms[2]);
    }
  }

  private static void checkShape(OnnxTensor t, String name, long... expected) {
    long[] s = t.getInfo().getShape();
    if (s.length != expected.length) {
      throw new AssertionError(name + " has rank " + s.length + ", expected " + expected.length);
    }
    for (int i = 0; i < s.length; i++) {
      if (expected[i] >= 0 && s[i] != expected[i]) {
        throw new AssertionError(name + " has shape " + java.util.Arrays.toString(s));
      }
    }
  }

  private static float[] floats(OnnxTensor t) {
    FloatBuffer b = t.getFloatBuffer();
    float[] v = new float[b.remaining()];
    b.get(v);
    return v;
  }

  private static long[] longs(OnnxTensor t) {
    java.nio.LongBuffer b = t.getLongBuffer();
    long[] v = new long[b.remaining()];
    b.get(v);
    return v;
  }
}
