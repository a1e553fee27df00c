package dev.lowlight.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Mask;
import ai.djl.modality.cv.output.Rectangle;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import dev.lowlight.runtime.ContractModels;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.Instance;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.PredictorOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The translator on DJL's real ONNX Runtime engine, against {@link LowlightPredictor} on the same file. */
class LowlightTranslatorTest {

  @TempDir Path dir;

  @Test
  void djlOnnxRuntimeEngineGivesThePredictorsDetections() throws Exception {
    Path model = ContractModels.dynamic(dir);
    int w = 64;
    int h = 48;
    BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    SplittableRandom rnd = new SplittableRandom(9);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        bi.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    Detections expected;
    try (LowlightPredictor p = LowlightPredictor.open(model, PredictorOptions.builder().optScoreThreshold(0.35f)
        .build())) {
      expected = p.predict(bi);
    }
    Criteria<Image, DetectedObjects> criteria = Criteria.builder()
        .setTypes(Image.class, DetectedObjects.class)
        .optModelPath(model)
        .optEngine("OnnxRuntime")
        .optTranslator(new LowlightTranslator(ContractModels.CLASS_NAMES, 0.35f, 100))
        .build();
    try (ZooModel<Image, DetectedObjects> zoo = criteria.loadModel();
        Predictor<Image, DetectedObjects> predictor = zoo.newPredictor()) {
      Image image = ImageFactory.getInstance().fromImage(bi);
      DetectedObjects found = predictor.predict(image);
      assertThat(found.getNumberOfObjects()).isEqualTo(expected.size()).isEqualTo(2);
      for (int i = 0; i < expected.size(); i++) {
        Instance in = expected.instances().get(i);
        DetectedObjects.DetectedObject o = found.item(i);
        assertThat(o.getClassName()).isEqualTo(in.className());
        assertThat(o.getProbability()).isCloseTo(in.score(), within(1e-6));
        Rectangle r = o.getBoundingBox().getBounds();
        assertThat(r.getX() * w).isCloseTo(in.box().x1(), within(1e-3));
        assertThat(r.getY() * h).isCloseTo(in.box().y1(), within(1e-3));
        assertThat(r.getWidth() * w).isCloseTo(in.box().width(), within(1e-3));
        assertThat(r.getHeight() * h).isCloseTo(in.box().height(), within(1e-3));
        float[][] dist = ((Mask) o.getBoundingBox()).getProbDist();
        float[] m28 = in.mask28();
        assertThat(dist).hasDimensions(28, 28);
        assertThat(dist[14][3]).isEqualTo(m28[14 * 28 + 3]);
        assertThat(dist[27][27]).isEqualTo(m28[27 * 28 + 27]);
      }
      // An all-black image goes through NonZero to zero outputs: no exception, no objects.
      BufferedImage black = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);
      assertThat(predictor.predict(ImageFactory.getInstance().fromImage(black)).getNumberOfObjects()).isZero();
    }
  }

  @Test
  void theFactoryTakesClassNamesFromTheModel() throws Exception {
    Path model = ContractModels.dynamic(dir);
    BufferedImage bi = noise(64, 48, 9);
    Detections expected;
    try (LowlightPredictor p = LowlightPredictor.open(model)) {
      expected = p.predict(bi);
    }
    Criteria<Image, DetectedObjects> criteria = Criteria.builder()
        .setTypes(Image.class, DetectedObjects.class).optModelPath(model).optEngine("OnnxRuntime")
        .optTranslatorFactory(new LowlightTranslatorFactory()).build();
    try (ZooModel<Image, DetectedObjects> zoo = criteria.loadModel();
        Predictor<Image, DetectedObjects> predictor = zoo.newPredictor()) {
      DetectedObjects found = predictor.predict(ImageFactory.getInstance().fromImage(bi));
      assertThat(found.getNumberOfObjects()).isEqualTo(expected.size()).isPositive();
      for (int i = 0; i < expected.size(); i++) {
        assertThat(found.item(i).getClassName()).isEqualTo(expected.instances().get(i).className());
        assertThat(found.item(i).getProbability()).isCloseTo(expected.instances().get(i).score(), within(1e-6));
      }
    }
  }

  @Test
  void aStaticModelGetsItsInputResizedAndTheBoxesBackInTheImage() throws Exception {
    Path model = ContractModels.fixed(dir, 40, 60);
    BufferedImage bi = noise(90, 70, 4);
    Detections expected;
    try (LowlightPredictor p = LowlightPredictor.open(model)) {
      expected = p.predict(bi);
    }
    Criteria<Image, DetectedObjects> criteria = Criteria.builder()
        .setTypes(Image.class, DetectedObjects.class).optModelPath(model).optEngine("OnnxRuntime")
        .optTranslatorFactory(new LowlightTranslatorFactory()).build();
    try (ZooModel<Image, DetectedObjects> zoo = criteria.loadModel();
        Predictor<Image, DetectedObjects> predictor = zoo.newPredictor()) {
      DetectedObjects found = predictor.predict(ImageFactory.getInstance().fromImage(bi));
      assertThat(found.getNumberOfObjects()).isEqualTo(expected.size()).isPositive();
      for (int i = 0; i < expected.size(); i++) {
        Instance in = expected.instances().get(i);
        Rectangle r = ((DetectedObjects.DetectedObject) found.item(i)).getBoundingBox().getBounds();
        assertThat(r.getX() * 90).isCloseTo(in.box().x1(), within(1e-3));
        assertThat(r.getY() * 70).isCloseTo(in.box().y1(), within(1e-3));
        assertThat(r.getWidth() * 90).isCloseTo(in.box().width(), within(1e-3));
        assertThat(r.getHeight() * 70).isCloseTo(in.box().height(), within(1e-3));
      }
    }
  }

  @Test
  void aModelFromAnotherToolIsRefusedNamingWhatIsMissing() throws Exception {
    Path model = ContractModels.withMetadata(dir.resolve("plain.onnx"), java.util.Map.of());
    Criteria<Image, DetectedObjects> criteria = Criteria.builder()
        .setTypes(Image.class, DetectedObjects.class).optModelPath(model).optEngine("OnnxRuntime")
        .optTranslatorFactory(new LowlightTranslatorFactory()).build();
    assertThatThrownBy(criteria::loadModel).hasStackTraceContaining("class_names");
  }

  private static BufferedImage noise(int w, int h, int seed) {
    BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        bi.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    return bi;
  }

  @Test
  void validatesItsSettings() {
    assertThatThrownBy(() -> new LowlightTranslator(null)).hasMessageContaining("classNames");
    assertThatThrownBy(() -> new LowlightTranslator(List.of(), 2f, 1)).hasMessageContaining("threshold");
    assertThatThrownBy(() -> new LowlightTranslator(List.of(), 0.5f, 0)).hasMessageContaining("maxDetections");
    assertThatThrownBy(() -> new LowlightTranslator(List.of(), 0.5f, 1, 10, 0)).hasMessageContaining("fixed input size");
  }
}
