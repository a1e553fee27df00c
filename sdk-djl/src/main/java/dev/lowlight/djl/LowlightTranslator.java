package dev.lowlight.djl;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.BoundingBox;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Mask;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.lowlight.data.transform.Bilinear;
import dev.lowlight.runtime.ImageTensors;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A DJL {@code Translator<Image, DetectedObjects>} for exported lowlight models, so a DJL user runs
 * the same {@code model.onnx} with DJL's ONNX Runtime engine. Each object is a DJL {@link Mask}:
 * its rectangle is normalised to {@code [0, 1]} by the image size (DJL's convention for detection
 * outputs) and its probabilities are the model's {@code 28x28} mask in box coordinates.
 *
 * <p>A model exported with a fixed input size ({@code lowlight export --static HxW}) gets every
 * image resized to that size (bilinear, as {@code LowlightPredictor} does); the normalised
 * rectangles are the same for the resized and the original image, so they need no mapping back.
 *
 * <p>Only element reads and {@code create} touch the NDArrays, because DJL's ONNX Runtime engine
 * implements no NDArray arithmetic of its own (it would borrow the PyTorch engine, which a
 * deployment must not carry). {@link LowlightTranslatorFactory} builds this translator from the
 * model's own metadata, so usually no code names it:
 *
 * <pre>{@code
 * Criteria<Image, DetectedObjects> criteria = Criteria.builder()
 *     .setTypes(Image.class, DetectedObjects.class)
 *     .optModelPath(Path.of("model.onnx"))
 *     .optEngine("OnnxRuntime")
 *     .build();
 * try (ZooModel<Image, DetectedObjects> model = criteria.loadModel();
 *     Predictor<Image, DetectedObjects> predictor = model.newPredictor()) {
 *   DetectedObjects found = predictor.predict(ImageFactory.getInstance().fromFile(Path.of("night.jpg")));
 * }
 * }</pre>
 */
public final class LowlightTranslator implements NoBatchifyTranslator<Image, DetectedObjects> {

  private static final String[] OUTPUTS = {"boxes", "labels", "scores", "masks"};
  private static final String WIDTH = "lowlight.width";
  private static final String HEIGHT = "lowlight.height";

  private final List<String> classNames;
  private final float threshold;
  private final int maxDetections;
  private final int staticHeight;
  private final int staticWidth;

  /** A translator keeping detections scoring at least 0.05, at most 100 of them. */
  public LowlightTranslator(List<String> classNames) {
    this(classNames, 0.05f, 100);
  }

  /** A translator for a model of any input size. */
  public LowlightTranslator(List<String> classNames, float threshold, int maxDetections) {
    this(classNames, threshold, maxDetections, 0, 0);
  }

  /**
   * A translator.
   *
   * @param classNames names by label, index 0 the background (the model's {@code class_names}
   *     metadata, e.g. {@code LowlightPredictor.info().classNames()})
   * @param threshold minimum score kept, in {@code [0, 1]}
   * @param maxDetections most detections kept, at least 1
   * @param staticHeight the model's fixed input height, or 0 when its input size is dynamic
   * @param staticWidth the model's fixed input width, or 0 when its input size is dynamic
   */
  public LowlightTranslator(List<String> classNames, float threshold, int maxDetections, int staticHeight,
      int staticWidth) {
    if (classNames == null) {
      throw new IllegalArgumentException("classNames must not be null");
    }
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
    }
    if (maxDetections < 1) {
      throw new IllegalArgumentException("maxDetections must be >= 1, got " + maxDetections);
    }
    this.classNames = List.copyOf(classNames);
    if (staticHeight < 0 || staticWidth < 0 || (staticHeight == 0) != (staticWidth == 0)) {
      throw new IllegalArgumentException("a fixed input size needs both sides >= 1 (0 and 0 for dynamic), got "
          + staticHeight + "x" + staticWidth);
    }
    this.threshold = threshold;
    this.maxDetections = maxDetections;
    this.staticHeight = staticHeight;
    this.staticWidth = staticWidth;
  }

  /** The image as a float {@code 1x3xHxW} RGB tensor in {@code [0, 1]} named {@code image}. */
  @Override
  public NDList processInput(TranslatorContext ctx, Image input) {
    int w = input.getWidth();
    int h = input.getHeight();
    NDManager manager = ctx.getNDManager();
    float[] chw;
    if (input.getWrappedImage() instanceof BufferedImage bi) {
      chw = ImageTensors.toChw(bi);
    } else {
      // Other image factories (OpenCV): DJL's own HWC uint8 layout, read back element-wise.
      NDArray hwc = input.toNDArray(manager, Image.Flag.COLOR);
      byte[] bytes = hwc.toByteArray();
      int plane = w * h;
      chw = new float[3 * plane];
      for (int i = 0; i < plane; i++) {
        for (int c = 0; c < 3; c++) {
          chw[c * plane + i] = (bytes[i * 3 + c] & 0xff) / 255f;
        }
      }
      hwc.close();
    }
    int inH = h;
    int inW = w;
    if (staticHeight > 0 && (h != staticHeight || w != staticWidth)) {
      chw = Bilinear.resizeChw(chw, 3, h, w, staticHeight, staticWidth);
      inH = staticHeight;
      inW = staticWidth;
    }
    // boxes come back in the pixels of the model's input, so they are normalised by its size
    ctx.setAttachment(WIDTH, inW);
    ctx.setAttachment(HEIGHT, inH);
    NDArray array = manager.create(FloatBuffer.wrap(chw), new Shape(1, 3, inH, inW), DataType.FLOAT32);
    array.setName("image");
    return new NDList(array);
  }

  /** The outputs as {@link DetectedObjects}, highest score first. */
  @Override
  public DetectedObjects processOutput(TranslatorContext ctx, NDList list) {
    int w = (Integer) ctx.getAttachment(WIDTH);
    int h = (Integer) ctx.getAttachment(HEIGHT);
    NDArray[] out = byName(list);
    float[] boxes = out[0].toFloatArray();
    long[] labels = out[1].toLongArray();
    float[] scores = out[2].toFloatArray();
    long[] maskShape = out[3].getShape().getShape();
    float[] masks = out[3].toFloatArray();
    int n = scores.length;
    if (boxes.length != 4 * n || labels.length != n || maskShape.length != 4 || maskShape[0] != n) {
      throw new IllegalStateException("model outputs are inconsistent: " + n + " scores, " + boxes.length / 4
          + " boxes, " + labels.length + " labels, masks " + Arrays.toString(maskShape));
    }
    int side = (int) maskShape[3];
    int[] keep = IntStream.range(0, n).filter(i -> scores[i] >= threshold).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -scores[i])).limit(maxDetections)
        .mapToInt(Integer::intValue).toArray();
    List<String> names = new ArrayList<>(keep.length);
    List<Double> probs = new ArrayList<>(keep.length);
    List<BoundingBox> rects = new ArrayList<>(keep.length);
    for (int i : keep) {
      int label = (int) labels[i];
      names.add(label >= 0 && label < classNames.size() ? classNames.get(label) : "class_" + label);
      probs.add((double) scores[i]);
      float[][] dist = new float[side][side];
      for (int y = 0; y < side; y++) {
        System.arraycopy(masks, (i * side + y) * side, dist[y], 0, side);
      }
      double x1 = boxes[4 * i];
      double y1 = boxes[4 * i + 1];
      rects.add(new Mask(x1 / w, y1 / h, (boxes[4 * i + 2] - x1) / w, (boxes[4 * i + 3] - y1) / h, dist, false));
    }
    return new DetectedObjects(names, probs, rects);
  }

  /** boxes, labels, scores, masks: by name where the engine names outputs, else in contract order. */
  private static NDArray[] byName(NDList list) {
    NDArray[] out = new NDArray[OUTPUTS.length];
    boolean named = true;
    for (int k = 0; k < OUTPUTS.length; k++) {
      out[k] = list.get(OUTPUTS[k]);
      named &= out[k] != null;
    }
    if (named) {
      return out;
    }
    if (list.size() < OUTPUTS.length) {
      throw new IllegalStateException("a lowlight model gives " + String.join(", ", OUTPUTS) + "; got "
          + list.size() + " outputs");
    }
    for (int k = 0; k < OUTPUTS.length; k++) {
      out[k] = list.get(k);
    }
    return out;
  }
}
