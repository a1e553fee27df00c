package dev.lowlight.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Rle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LowlightPredictorTest {

  @TempDir static Path dir;
  static Path model;
  static LowlightPredictor predictor;

  @BeforeAll
  static void open() throws Exception {
    model = ContractModels.dynamic(dir);
    predictor = LowlightPredictor.open(model,
        PredictorOptions.builder().optIntraOpThreads(1).optScoreThreshold(0f).build());
  }

  @AfterAll
  static void close() {
    predictor.close();
  }

  @Test
  void readsTheContractAndMetadata() {
    ModelInfo info = predictor.info();
    assertThat(info.isDynamic()).isTrue();
    assertThat(info.classNames()).isEqualTo(ContractModels.CLASS_NAMES);
    assertThat(info.sdkVersion()).isEqualTo("0.1.0-test");
    assertThat(info.metadata()).containsEntry("lowlight_contract", "1").containsKey("export_date");
    assertThat(predictor.provider()).isEqualTo("CPU");
  }

  @Test
  void predictsTheGraphsDetectionsSortedByScore() {
    int h = 60;
    int w = 90;
    Detections d = predictor.predict(ContractModels.uniform(h, w, 0.5f), h, w);
    assertThat(d.imageHeight()).isEqualTo(h);
    assertThat(d.imageWidth()).isEqualTo(w);
    assertThat(d.size()).isEqualTo(3);
    // Graph order is 0.6, 0.9, 0.3; the runtime sorts by score.
    int[] order = {1, 0, 2};
    for (int k = 0; k < 3; k++) {
      Instance in = d.instances().get(k);
      int c = order[k];
      assertThat(in.score()).isCloseTo(ContractModels.BASE_SCORES[c], within(1e-6f));
      assertThat(in.label()).isEqualTo((int) ContractModels.LABELS[c]);
      assertThat(in.className()).isEqualTo(ContractModels.CLASS_NAMES.get((int) ContractModels.LABELS[c]));
      float[] rel = Arrays.copyOfRange(ContractModels.REL_BOXES, 4 * c, 4 * c + 4);
      assertThat(in.box().toArray()).containsExactly(new float[] {rel[0] * w, rel[1] * h, rel[2] * w, rel[3] * h},
          within(1e-4f));
      float[] mask = Arrays.copyOfRange(ContractModels.masks(), c * 784, (c + 1) * 784);
      assertThat(in.mask28()).containsExactly(mask);
    }
  }

  @Test
  void scoresFollowTheImage() {
    int h = 32;
    int w = 48;
    float[] img = ContractModels.uniform(h, w, 0.2f);
    Detections d = predictor.predict(img, h, w);
    double f = ContractModels.factor(img);
    assertThat(d.instances().get(0).score()).isCloseTo((float) (0.9 * f), within(1e-5f));
  }

  @Test
  void blackAndTinyImagesGiveNoDetections() {
    Detections d = predictor.predict(ContractModels.uniform(40, 50, 0f), 40, 50);
    assertThat(d.isEmpty()).isTrue();
    assertThat(d.imageHeight()).isEqualTo(40);
    Detections one = predictor.predict(new float[3], 1, 1);
    assertThat(one.isEmpty()).isTrue();
  }

  @Test
  void oneByOneBrightImageStillWorks() {
    Detections d = predictor.predict(new float[] {1, 1, 1}, 1, 1);
    assertThat(d.size()).isEqualTo(3);
    for (Instance in : d.instances()) {
      assertThat(in.fullMask().width()).isEqualTo(1);
      assertThat(MaskApi.decode(in.rle())).hasSize(1);
    }
  }

  @Test
  void scoreThresholdAndMaxDetectionsApply() throws Exception {
    try (LowlightPredictor p = LowlightPredictor.open(model,
        PredictorOptions.builder().optScoreThreshold(0.5f).build())) {
      Detections d = p.predict(ContractModels.uniform(30, 30, 0.5f), 30, 30);
      assertThat(d.instances()).extracting(Instance::score).containsExactly(0.9f, 0.6f);
    }
    try (LowlightPredictor p = LowlightPredictor.open(model,
        PredictorOptions.builder().optScoreThreshold(0f).optMaxDetections(1).build())) {
      Detections d = p.predict(ContractModels.uniform(30, 30, 0.5f), 30, 30);
      assertThat(d.instances()).extracting(Instance::className).containsExactly("car");
    }
    try (LowlightPredictor p = LowlightPredictor.open(model,
        PredictorOptions.builder().optScoreThreshold(0.95f).build())) {
      assertThat(p.predict(ContractModels.uniform(30, 30, 0.5f), 30, 30).isEmpty()).isTrue();
    }
  }

  @Test
  void pastedMaskCoversTheBoxForAConstantMask() {
    int h = 100;
    int w = 120;
    Detections d = predictor.predict(ContractModels.uniform(h, w, 0.5f), h, w);
    Instance car = d.instances().get(0); // constant 0.8 mask
    assertThat(car.className()).isEqualTo("car");
    BitMask m = car.fullMask();
    BoxXyxy b = car.box();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean wellInside = x > b.x1() + 2 && x < b.x2() - 2 && y > b.y1() + 2 && y < b.y2() - 2;
        boolean wellOutside = x < b.x1() - 3 || x > b.x2() + 3 || y < b.y1() - 3 || y > b.y2() + 3;
        if (wellInside) {
          assertThat(m.get(y, x)).as("(%d, %d) inside", y, x).isTrue();
        }
        if (wellOutside) {
          assertThat(m.get(y, x)).as("(%d, %d) outside", y, x).isFalse();
        }
      }
    }
    // The disc of the cat covers about pi*10^2/28^2 of its box.
    Instance cat = d.instances().get(1);
    double boxArea = cat.box().width() * cat.box().height();
    assertThat(cat.fullMask().area() / boxArea).isBetween(0.3, 0.5);
    assertThat(car.fullMask()).isSameAs(car.fullMask());
  }

  @Test
  void rleRoundTripsThroughMaskApi() {
    int h = 77;
    int w = 53;
    Detections d = predictor.predict(ContractModels.uniform(h, w, 0.4f), h, w);
    for (Instance in : d.instances()) {
      Rle rle = in.rle();
      assertThat(rle.height()).isEqualTo(h);
      assertThat(rle.width()).isEqualTo(w);
      byte[] decoded = MaskApi.decode(rle);
      assertThat(BitMask.fromColumnMajor(decoded, h, w).pixels()).containsExactly(in.fullMask().pixels());
      assertThat(MaskApi.fromCompressedString(in.rleCounts(), h, w)).isEqualTo(rle);
      assertThat(MaskApi.area(rle)).isEqualTo(in.fullMask().area()).isPositive();
    }
  }

  @Test
  void bufferedImageFileAndArrayPathsAgree() throws Exception {
    int h = 40;
    int w = 64;
    BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    SplittableRandom rnd = new SplittableRandom(3);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        bi.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    Path png = dir.resolve("noise.png");
    ImageIO.write(bi, "png", png.toFile());
    Detections fromImage = predictor.predict(bi);
    Detections fromFile = predictor.predict(png);
    Detections fromArray = predictor.predict(ImageTensors.toChw(bi), h, w);
    assertThat(summary(fromImage)).isEqualTo(summary(fromFile)).isEqualTo(summary(fromArray));
    assertThat(fromImage.size()).isEqualTo(3);
  }

  @Test
  void fixedSizeModelResizesAndScalesBoxesBack() throws Exception {
    Path fixed = ContractModels.fixed(dir, 32, 40);
    try (LowlightPredictor p = LowlightPredictor.open(fixed)) {
      assertThat(p.info().isDynamic()).isFalse();
      assertThat(p.info().staticHeight()).isEqualTo(32);
      Detections d = p.predict(ContractModels.uniform(64, 120, 0.5f), 64, 120);
      Instance top = d.instances().get(0);
      assertThat(top.box().toArray()).containsExactly(new float[] {0.5f * 120, 0.1f * 64, 0.9f * 120, 0.5f * 64},
          within(1e-3f));
      assertThat(top.fullMask().width()).isEqualTo(120);
    }
  }

  @Test
  void deterministicAndThreadSafe() throws Exception {
    int h = 48;
    int w = 56;
    List<float[]> images = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      SplittableRandom rnd = new SplittableRandom(i);
      float[] img = new float[3 * h * w];
      float scale = (i % 5) / 5f; // includes all-black images
      for (int k = 0; k < img.length; k++) {
        img[k] = (float) rnd.nextDouble() * scale;
      }
      images.add(img);
    }
    List<String> reference = new ArrayList<>();
    for (float[] img : images) {
      reference.add(summary(predictor.predict(img, h, w)));
    }
    List<String> again = new ArrayList<>();
    for (float[] img : images) {
      again.add(summary(predictor.predict(img, h, w)));
    }
    assertThat(again).isEqualTo(reference);
    assertThat(reference).anyMatch(s -> s.isEmpty()).anyMatch(s -> !s.isEmpty());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(pool.submit(() -> {
          List<String> mine = new ArrayList<>();
          for (float[] img : images) {
            mine.add(summary(predictor.predict(img, h, w)));
          }
          return mine;
        }));
      }
      for (Future<List<String>> f : futures) {
        assertThat(f.get()).isEqualTo(reference);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closedPredictorRefusesWork() throws Exception {
    LowlightPredictor p = LowlightPredictor.open(model);
    p.close();
    p.close();
    assertThatThrownBy(() -> p.predict(new float[3], 1, 1)).hasMessageContaining("closed")
        .hasMessageContaining(model.toString());
  }

  @Test
  void badArraysAreRejected() {
    assertThatThrownBy(() -> predictor.predict(new float[10], 2, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 12 values");
    assertThatThrownBy(() -> predictor.predict(new float[0], 0, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Everything a detection carries, exactly (bit patterns of floats), plus the mask RLE. */
  static String summary(Detections d) {
    StringBuilder sb = new StringBuilder();
    for (Instance in : d.instances()) {
      sb.append(in.label()).append(' ').append(Float.floatToIntBits(in.score())).append(' ')
          .append(Arrays.toString(in.box().toArray())).append(' ').append(in.rleCounts()).append('\n');
    }
    return sb.toString();
  }
}
