package dev.lowlight.model.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lowlight.api.onnx.Dim;
import dev.lowlight.api.onnx.GraphOps;
import dev.lowlight.api.onnx.OnnxGraphBuilder;
import dev.lowlight.api.onnx.OnnxType;
import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.transform.DetectionTransform;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exported graph resizes exactly as eager inference (and torchvision's {@code
 * GeneralizedRCNNTransform}) does, at every input size: the same network input size and the same
 * pixels, bit for bit, then the same detections. COCO's two most common sizes (480x640 and
 * 427x640) are where the graph's {@code Resize} once disagreed.
 */
class ExportedResizeParityTest {

  /** Height x width: COCO's common sizes, portrait, square, tiny, extreme ratios, above 1333. */
  private static final String SIZES = """
      480, 640
      640, 480
      427, 640
      375, 500
      612, 612
      800, 1067
      1, 1
      20, 1400
      63, 85
      1000, 2000
      333, 500
      1400, 20
      2, 3000
      799, 1199
      """;

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource(textBlock = SIZES)
  void graphTransformGivesEagerSizeAndPixelsBitForBit(int height, int width) throws Exception {
    DetectionTransform transform = DetectionTransform.of(800, 1333, List.of(0.485, 0.456, 0.406),
        List.of(0.229, 0.224, 0.225), 32);
    RgbImage image = ExportFixtures.noise(width, height, height * 31L + width);
    DetectionTransform.Prepared eager = transform.prepare(image);

    OnnxGraphBuilder graph = new OnnxGraphBuilder("transform");
    String in = graph.input("image", OnnxType.FLOAT, Dim.of(1), Dim.of(3), Dim.dynamic("H"), Dim.dynamic("W"));
    DetectionTransform.Lowered lowered = transform.lower(new GraphOps(graph.root()), in);
    graph.output(lowered.input(), "input", OnnxType.FLOAT);
    graph.output(lowered.resizedHw(), "resized", OnnxType.INT64);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(graph.toBytes(), new OrtSession.SessionOptions());
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(image.toChw()), new long[] {1, 3, height, width});
        OrtSession.Result r = session.run(Map.of("image", t))) {
      LongBuffer resized = ((OnnxTensor) r.get("resized").orElseThrow()).getLongBuffer();
      assertThat(new long[] {resized.get(0), resized.get(1)}).as("resized size of %dx%d", height, width)
          .containsExactly(eager.resizedHeight(), eager.resizedWidth());
      OnnxTensor input = (OnnxTensor) r.get("input").orElseThrow();
      assertThat(input.getInfo().getShape()).containsExactly(1, 3, eager.paddedHeight(), eager.paddedWidth());
      FloatBuffer fb = input.getFloatBuffer();
      float[] graphPixels = new float[fb.remaining()];
      fb.get(graphPixels);
      int firstDifference = java.util.Arrays.mismatch(graphPixels, eager.chw());
      assertThat(firstDifference).as("first pixel where the graph's network input differs from eager's").isEqualTo(-1);
    }
  }

  @ParameterizedTest(name = "{0}x{1}")
  @Tag("slow")
  @CsvSource(textBlock = SIZES)
  void exportedDetectionsEqualEagerAtTheDefaultSizes(int height, int width) throws Exception {
    RgbImage image = ExportFixtures.scene(width, height, height + width);
    OnnxExportParityTest.compare(exported.model.predict(image), ExportFixtures.run(exported.session, image), image,
        new OnnxExportParityTest.Stats());
  }

  private static Exported exported;

  /** The narrow parity model at torchvision's default sizes (800/1333), exported once for all sizes. */
  private record Exported(NDManager manager, MaskRcnn model, OrtSession session) {}

  @BeforeAll
  static void export() throws Exception {
    String yaml = ExportFixtures.SMALL.replace("transform: {min_size: 96, max_size: 128}", "transform: {}");
    NDManager manager = NDManager.newBaseManager();
    MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(yaml, true)).build().initialize(manager);
    ExportFixtures.randomize(model, 11);
    OrtSession session = OrtEnvironment.getEnvironment().createSession(
        OnnxExporter.build(model, ExportOptions.defaults()).model().toByteArray(), new OrtSession.SessionOptions());
    exported = new Exported(manager, model, session);
  }

  @AfterAll
  static void close() throws Exception {
    exported.session().close();
    exported.manager().close();
  }
}
