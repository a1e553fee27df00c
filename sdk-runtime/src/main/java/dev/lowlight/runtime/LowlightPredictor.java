package dev.lowlight.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.image.ImageReadException;
import dev.lowlight.data.transform.Bilinear;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an exported lowlight model ({@code model.onnx}) with ONNX Runtime: image in, instances with
 * boxes, classes, scores and pasted masks out. No DJL engine is involved.
 *
 * <p>One predictor holds one {@link OrtSession}, which serves any number of threads at once
 * (ONNX Runtime's {@code Run} is thread-safe); every tensor and result of a call is closed before
 * it returns. Open it once and share it; close it when done.
 *
 * <pre>{@code
 * PredictorOptions opts = PredictorOptions.builder().optDevice("auto").optScoreThreshold(0.5f).build();
 * try (LowlightPredictor p = LowlightPredictor.open(Path.of("model.onnx"), opts)) {
 *   Detections d = p.predict(Path.of("night.jpg"));
 *   for (Instance in : d.instances()) {
 *     System.out.println(in.className() + " " + in.score() + " " + in.box());
 *   }
 * }
 * }</pre>
 */
public final class LowlightPredictor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LowlightPredictor.class);

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelInfo info;
  private final PredictorOptions options;
  private final String provider;
  private volatile boolean closed;

  private LowlightPredictor(OrtEnvironment env, OrtSession session, ModelInfo info, PredictorOptions options,
      String provider) {
    this.env = env;
    this.session = session;
    this.info = info;
    this.options = options;
    this.provider = provider;
  }

  /** Opens {@code model} on the CPU with the default options. */
  public static LowlightPredictor open(Path model) {
    return open(model, PredictorOptions.defaults());
  }

  /**
   * Opens {@code model} with {@code options}.
   *
   * @throws ModelLoadException naming the file when it is missing, empty, not a valid (or a
   *     truncated) ONNX file, or an ONNX model that is not a lowlight model
   * @throws DeviceUnavailableException when {@code cuda} was asked for and cannot be used
   */
  public static LowlightPredictor open(Path model, PredictorOptions options) {
    checkFile(model);
    OnnxModelGuard.check(model);
    return open(new Source(model, null), options);
  }

  /**
   * Opens a model held in memory (a model shipped to the machines of a distributed job, read from
   * an object store, or embedded in an application). It must be self-contained: a model that keeps
   * tensors in external data files is refused, since bytes have no folder to find them in (open it
   * from its file instead).
   *
   * @param model the bytes of an exported {@code model.onnx}
   * @param name what the model is (its file name or URI), named in messages and in {@link
   *     ModelInfo#file()}
   * @throws ModelLoadException naming {@code name} when the bytes are empty, not a valid ONNX model,
   *     refer to external data, or are an ONNX model that is not a lowlight model
   * @throws DeviceUnavailableException when {@code cuda} was asked for and cannot be used
   */
  public static LowlightPredictor open(byte[] model, String name, PredictorOptions options) {
    if (model == null || name == null) {
      throw new IllegalArgumentException("model bytes and name must not be null");
    }
    Path named = Path.of(name);
    if (model.length == 0) {
      throw new ModelLoadException(named, "the model is empty (0 bytes)");
    }
    OnnxModelGuard.check(model, named);
    return open(new Source(named, model), options);
  }

  private static LowlightPredictor open(Source source, PredictorOptions options) {
    Path model = source.file();
    OrtEnvironment env = environment();
    Device device = options.device();
    OrtSession session = null;
    String provider = "CPU";
    if (device.kind() != Device.Kind.CPU) {
      try {
        session = createSession(env, source, options, device.index());
        provider = "CUDA:" + device.index();
      } catch (CudaFailure e) {
        if (device.kind() == Device.Kind.CUDA) {
          throw new DeviceUnavailableException("cannot run model " + model + " on " + device + ": "
              + e.getMessage(), e.getCause());
        }
        LOG.warn("device auto: CUDA is not usable ({}); running model {} on the CPU", e.getMessage(), model);
      }
    }
    if (session == null) {
      try {
        session = createSession(env, source, options, -1);
      } catch (CudaFailure e) {
        throw new IllegalStateException("unreachable: no CUDA provider was requested", e);
      }
    }
    ModelInfo info;
    try {
      info = ModelInfo.of(model, session);
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
    LOG.info("model {}: ONNX Runtime {} on {} provider, {} intra-op threads, input {}, {} classes", model,
        env.getVersion(), provider, options.intraOpThreads() == 0 ? "default" : options.intraOpThreads(),
        info.isDynamic() ? "1x3xHxW" : "1x3x" + info.staticHeight() + "x" + info.staticWidth(),
        info.classNames().size());
    return new LowlightPredictor(env, session, info, options, provider);
  }

  /** What the model declares: class names, input size, metadata. */
  public ModelInfo info() {
    return info;
  }

  /** The options the predictor was opened with. */
  public PredictorOptions options() {
    return options;
  }

  /** The execution provider in use: {@code CPU} or {@code CUDA:N}. */
  public String provider() {
    return provider;
  }

  /**
   * Reads {@code imageFile} and predicts on it.
   *
   * @throws ImageReadException naming the file when it cannot be read as an image
   */
  public Detections predict(Path imageFile) {
    RgbImage img = ImageFiles.read(imageFile);
    return predict(img.toChw(), img.height(), img.width());
  }

  /** Predicts on an sRGB image. */
  public Detections predict(RgbImage image) {
    return predict(image.toChw(), image.height(), image.width());
  }

  /**
   * Predicts on each image of a batch, in order. The exported graph takes one image at a time
   * ({@code 1x3xHxW}), so the images run one after another on this predictor's session, each as
   * {@link #predict(RgbImage)} would run it; ONNX Runtime's intra-op threads work inside each one.
   * To predict on several batches at once, call this from several threads.
   *
   * @return one {@link Detections} per image, in the order of {@code images}
   */
  public List<Detections> predictBatch(List<RgbImage> images) {
    for (int i = 0; i < images.size(); i++) {
      if (images.get(i) == null) {
        throw new IllegalArgumentException("image " + i + " of the batch is null");
      }
    }
    List<Detections> out = new ArrayList<>(images.size());
    for (RgbImage image : images) {
      out.add(predict(image));
    }
    return out;
  }

  /** Predicts on a {@link BufferedImage} (any type; converted to sRGB floats {@code k/255}). */
  public Detections predict(BufferedImage image) {
    return predict(ImageTensors.toChw(image), image.getHeight(), image.getWidth());
  }

  /**
   * Predicts on a planar RGB image in {@code [0, 1]}.
   *
   * <p>A model exported with a fixed input size gets the image resized to that size (bilinear,
   * as PyTorch's {@code interpolate}); boxes are scaled back, so they are always in the pixels of
   * the image given here.
   *
   * @param chw {@code 3 * h * w} values, channel-major
   * @param h image height
   * @param w image width
   */
  public Detections predict(float[] chw, int h, int w) {
    if (closed) {
      throw new IllegalStateException("predictor for " + info.file() + " is closed");
    }
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + w + "x" + h);
    }
    if (chw.length != 3L * h * w) {
      throw new IllegalArgumentException("a 3x" + h + "x" + w + " image needs " + 3L * h * w + " values, got "
          + chw.length);
    }
    int inH = h;
    int inW = w;
    float[] input = chw;
    if (!info.isDynamic() && (h != info.staticHeight() || w != info.staticWidth())) {
      inH = info.staticHeight();
      inW = info.staticWidth();
      input = Bilinear.resizeChw(chw, 3, h, w, inH, inW);
    }
    Raw raw = run(input, inH, inW);
    float sx = (float) w / inW;
    float sy = (float) h / inH;
    return select(raw, h, w, sx, sy);
  }

  /** Closes the session. Calls in flight must have returned. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeQuietly(session);
    }
  }

  // ---------------------------------------------------------------- inference

  /** The four outputs of one run, copied out of native memory. */
  private record Raw(int n, float[] boxes, long[] labels, float[] scores, float[] masks, int side) {}

  /**
   * Each calling thread's input buffer, outside the heap and reused. Given a heap buffer, ONNX
   * Runtime copies it into a new direct buffer for every call, which only the garbage collector
   * frees: with a fixed heap that collects rarely, 9,000 predictions of a 128x96 image left 640 MiB
   * of them resident outside the heap.
   */
  private static final ThreadLocal<FloatBuffer> INPUT = new ThreadLocal<>();

  private static FloatBuffer input(float[] chw) {
    FloatBuffer b = INPUT.get();
    if (b == null || b.capacity() < chw.length) {
      b = java.nio.ByteBuffer.allocateDirect(chw.length * Float.BYTES).order(java.nio.ByteOrder.nativeOrder())
          .asFloatBuffer();
      INPUT.set(b);
    }
    b.clear();
    b.put(chw).flip();
    return b;
  }

  private Raw run(float[] chw, int h, int w) {
    // the tensor uses the thread's buffer without copying it, and is closed before the buffer is reused
    try (OnnxTensor image = OnnxTensor.createTensor(env, input(chw), new long[] {1, 3, h, w});
        OrtSession.Result result = session.run(Map.of(ModelInfo.INPUT, image))) {
      float[] boxes = floats(result, ModelInfo.BOXES);
      long[] labels = longs(result, ModelInfo.LABELS);
      float[] scores = floats(result, ModelInfo.SCORES);
      long[] maskShape = shape(result, ModelInfo.MASKS);
      float[] masks = floats(result, ModelInfo.MASKS);
      int n = scores.length;
      int side = (int) maskShape[3];
      if (boxes.length != 4 * n || labels.length != n || maskShape[0] != n || maskShape[1] != 1
          || maskShape[2] != maskShape[3]) {
        throw new IllegalStateException("model " + info.file() + " gave inconsistent outputs: " + n
            + " scores, " + boxes.length / 4 + " boxes, " + labels.length + " labels, masks "
            + Arrays.toString(maskShape));
      }
      return new Raw(n, boxes, labels, scores, masks, side);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on model " + info.file() + " with a 1x3x" + h + "x"
          + w + " image: " + e.getMessage(), e);
    }
  }

  private Detections select(Raw raw, int h, int w, float sx, float sy) {
    float threshold = options.scoreThreshold();
    // Exported graphs sort by score already; sorting again (stably) keeps the contract if one does not.
    int[] keep = IntStream.range(0, raw.n()).filter(i -> raw.scores()[i] >= threshold).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -raw.scores()[i]))
        .limit(options.maxDetections()).mapToInt(Integer::intValue).toArray();
    int side = raw.side();
    List<Instance> out = new ArrayList<>(keep.length);
    for (int i : keep) {
      float[] b = raw.boxes();
      BoxXyxy box = new BoxXyxy(b[4 * i] * sx, b[4 * i + 1] * sy, b[4 * i + 2] * sx, b[4 * i + 3] * sy);
      int label = (int) raw.labels()[i];
      float[] mask = Arrays.copyOfRange(raw.masks(), i * side * side, (i + 1) * side * side);
      out.add(new Instance(box, label, info.className(label), raw.scores()[i], mask, side, h, w));
    }
    return new Detections(h, w, out);
  }

  private OnnxTensor tensor(OrtSession.Result result, String name) {
    OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException("model " + info.file()
        + " gave no output '" + name + "'"));
    if (!(v instanceof OnnxTensor t)) {
      throw new IllegalStateException("model " + info.file() + " output '" + name + "' is not a tensor");
    }
    return t;
  }

  private long[] shape(OrtSession.Result result, String name) {
    return tensor(result, name).getInfo().getShape();
  }

  private float[] floats(OrtSession.Result result, String name) {
    FloatBuffer fb = tensor(result, name).getFloatBuffer();
    float[] out = new float[fb.remaining()];
    fb.get(out);
    return out;
  }

  private long[] longs(OrtSession.Result result, String name) {
    LongBuffer lb = tensor(result, name).getLongBuffer();
    long[] out = new long[lb.remaining()];
    lb.get(out);
    return out;
  }

  // ---------------------------------------------------------------- opening

  /** The CUDA provider could not be added or the session could not be made with it. */
  private static final class CudaFailure extends Exception {
    private static final long serialVersionUID = 1L;

    CudaFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Where a model comes from: its file, or bytes ({@code file} then only names them). */
  private record Source(Path file, byte[] bytes) {
    OrtSession create(OrtEnvironment env, SessionOptions so) throws OrtException {
      return bytes == null ? env.createSession(file.toString(), so) : env.createSession(bytes, so);
    }
  }

  private static OrtSession createSession(OrtEnvironment env, Source source, PredictorOptions options, int cuda)
      throws CudaFailure {
    Path model = source.file();
    try (SessionOptions so = new SessionOptions()) {
      so.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
      if (options.intraOpThreads() > 0) {
        so.setIntraOpNumThreads(options.intraOpThreads());
      }
      if (cuda >= 0) {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
          throw new CudaFailure("the ONNX Runtime on the classpath is the CPU build, with no CUDA execution"
              + " provider; depend on com.microsoft.onnxruntime:onnxruntime_gpu:" + env.getVersion()
              + " instead of com.microsoft.onnxruntime:onnxruntime (the same classes: exclude onnxruntime from"
              + " sdk-runtime and add onnxruntime_gpu; README, 'CUDA')", null);
        }
        try {
          so.addCUDA(cuda);
        } catch (OrtException e) {
          throw new CudaFailure("onnxruntime_gpu is on the classpath but its CUDA execution provider did not"
              + " load (" + firstLine(e.getMessage()) + "); install the CUDA 12 and cuDNN 9 libraries it needs, or"
              + " put their directories on LD_LIBRARY_PATH, and check that GPU " + cuda + " exists", e);
        }
      }
      try {
        return source.create(env, so);
      } catch (OrtException e) {
        if (cuda >= 0 && mentionsCuda(e)) {
          throw new CudaFailure("ONNX Runtime could not start on GPU " + cuda + ": " + e.getMessage(), e);
        }
        throw new ModelLoadException(model, "not a valid ONNX model; the file may be corrupted or truncated"
            + " (ONNX Runtime: " + firstLine(e.getMessage()) + ")", e);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("cannot set ONNX Runtime session options: " + e.getMessage(), e);
    }
  }

  /**
   * The process-wide ONNX Runtime environment. When DJL's ONNX Runtime engine is on the classpath
   * it is started first: it creates the environment with global thread pools and fails if one
   * already exists, whereas this class can share whichever environment is there. So a JVM that
   * uses both this predictor and DJL's engine works in either order.
   */
  private static synchronized OrtEnvironment environment() {
    // by reflection: sdk-runtime does not depend on DJL, which only sdk-djl's users bring
    try {
      Class<?> engine = Class.forName("ai.djl.engine.Engine");
      if ((Boolean) engine.getMethod("hasEngine", String.class).invoke(null, "OnnxRuntime")) {
        engine.getMethod("getEngine", String.class).invoke(null, "OnnxRuntime");
      }
    } catch (ClassNotFoundException e) {
      LOG.trace("no DJL on the classpath");
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("DJL's OnnxRuntime engine did not start ({}); using ONNX Runtime directly", e.toString());
    }
    return OrtEnvironment.getEnvironment();
  }

  private static boolean mentionsCuda(OrtException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return m.contains("cuda") || m.contains("cudnn") || m.contains("gpu");
  }

  private static void checkFile(Path model) {
    if (model == null) {
      throw new IllegalArgumentException("model path must not be null");
    }
    if (!Files.exists(model)) {
      throw new ModelLoadException(model, "the file does not exist");
    }
    if (Files.isDirectory(model)) {
      throw new ModelLoadException(model, "it is a folder; pass the exported .onnx file");
    }
    if (!Files.isReadable(model)) {
      throw new ModelLoadException(model, "the file is not readable");
    }
    try {
      if (Files.size(model) == 0) {
        throw new ModelLoadException(model, "the file is empty");
      }
    } catch (java.io.IOException e) {
      throw new ModelLoadException(model, "cannot read its size: " + e.getMessage(), e);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing ONNX Runtime session failed: {}", e.getMessage());
    }
  }
}
