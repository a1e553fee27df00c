package dev.lowlight.data.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.BoxXywh;
import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.coco.Segmentation;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.dataset.ProgressListener;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.image.ImageCodec;
import dev.lowlight.data.image.ImageIoCodec;
import dev.lowlight.data.image.OpenCvCodec;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.data.transform.DetectionTransform;
import dev.lowlight.data.transform.ResizeRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loader: determinism, resume, geometry of flips and resizes, padding, skipping, labels. */
class CocoLoaderTest {

  @TempDir
  static Path root;

  /** Ten scenes, five 96x64 and five 64x96, under one image folder. */
  static CocoDataset mixed;

  static final DetectionTransform SMALL = new DetectionTransform(new ResizeRule(80, 120),
      new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, 32);

  @BeforeAll
  static void scenes() throws IOException {
    CocoDataset wide = SceneDataset.write(root.resolve("wide"), 5, 3L,
        SceneGenerator.builder().optWidth(96).optHeight(64).build(), ProgressListener.NONE);
    CocoDataset tall = SceneDataset.write(root.resolve("tall"), 5, 4L,
        SceneGenerator.builder().optWidth(64).optHeight(96).build(), ProgressListener.NONE);
    List<CocoImage> images = new ArrayList<>();
    List<CocoAnnotation> anns = new ArrayList<>();
    long annId = 1;
    for (int part = 0; part < 2; part++) {
      CocoDataset d = part == 0 ? wide : tall;
      String prefix = part == 0 ? "wide/images/" : "tall/images/";
      long offset = part * 100L;
      for (CocoImage i : d.images()) {
        images.add(new CocoImage(i.id() + offset, prefix + i.fileName(), i.width(), i.height()));
      }
      for (CocoAnnotation a : d.annotations()) {
        anns.add(new CocoAnnotation(annId++, a.imageId() + offset, a.categoryId(), a.bbox(), a.area(), false,
            a.segmentation()));
      }
    }
    mixed = new CocoDataset(Map.of(), images, d0Categories(wide), anns).validate();
  }

  private static List<CocoCategory> d0Categories(CocoDataset d) {
    return d.categories();
  }

  private static CocoLoader.Builder base() {
    return CocoLoader.builder().optDataset(mixed).setImageDir(root).setBatchSize(3).optTransform(SMALL).optSeed(11)
        .optCodec(ImageIoCodec.INSTANCE);
  }

  private static List<Batch> take(CocoLoader loader, int n) {
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(loader.next());
    }
    return out;
  }

  private static void assertSameBatches(List<Batch> a, List<Batch> b) {
    assertThat(b).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      Batch x = a.get(i);
      Batch y = b.get(i);
      assertThat(y.position()).isEqualTo(x.position());
      assertThat(y.paddedHeight()).isEqualTo(x.paddedHeight());
      assertThat(y.paddedWidth()).isEqualTo(x.paddedWidth());
      assertThat(Arrays.equals(x.images(), y.images())).as("pixels of batch %d", i).isTrue();
      for (int j = 0; j < x.size(); j++) {
        assertSameTarget(x.targets().get(j), y.targets().get(j));
      }
    }
  }

  private static void assertSameTarget(TrainingTarget s, TrainingTarget t) {
    assertThat(t.imageId()).isEqualTo(s.imageId());
    assertThat(t.flipped()).isEqualTo(s.flipped());
    assertThat(t.height()).isEqualTo(s.height());
    assertThat(t.width()).isEqualTo(s.width());
    assertThat(t.boxes()).containsExactly(s.boxes());
    assertThat(t.labels()).containsExactly(s.labels());
    for (int g = 0; g < s.size(); g++) {
      assertThat(t.masks().get(g)).containsExactly(s.masks().get(g));
    }
  }

  @Test
  void sameSeedGivesSameBatchesWithOneOrThreeWorkers() {
    // 10 images, batch 3: 3 batches per epoch, so 7 batches cross two epoch boundaries.
    List<Batch> one;
    List<Batch> three;
    List<Batch> inline;
    try (CocoLoader l = base().optWorkers(1).build()) {
      assertThat(l.batchesPerEpoch()).isEqualTo(3);
      one = take(l, 7);
    }
    try (CocoLoader l = base().optWorkers(3).optPrefetch(5).build()) {
      three = take(l, 7);
    }
    try (CocoLoader l = base().optWorkers(0).build()) {
      inline = take(l, 7);
    }
    assertSameBatches(one, three);
    assertSameBatches(one, inline);
    // Shuffled per epoch and flipped at random: the seed matters.
    List<Long> epoch0 = ids(one.subList(0, 3));
    List<Long> epoch1 = ids(one.subList(3, 6));
    assertThat(epoch0).doesNotHaveDuplicates().isNotEqualTo(epoch1);
    assertThat(one.stream().flatMap(b -> b.targets().stream()).map(TrainingTarget::flipped).distinct()).hasSize(2);
    try (CocoLoader l = base().optSeed(12).optWorkers(0).build()) {
      assertThat(ids(take(l, 3))).isNotEqualTo(epoch0);
    }
  }

  private static List<Long> ids(List<Batch> batches) {
    return batches.stream().flatMap(b -> b.targets().stream()).map(TrainingTarget::imageId).toList();
  }

  @Test
  void seekResumesExactly() {
    List<Batch> straight;
    try (CocoLoader l = base().optWorkers(2).build()) {
      straight = take(l, 8);
    }
    try (CocoLoader first = base().optWorkers(2).build()) {
      take(first, 3);
      assertThat(first.position()).isEqualTo(3);
    }
    try (CocoLoader resumed = base().optWorkers(2).build()) {
      resumed.seek(3);
      assertSameBatches(straight.subList(3, 8), take(resumed, 5));
      // Seeking back, with batches already prefetched, replays them.
      resumed.seek(1);
      assertThat(resumed.position()).isEqualTo(1);
      assertSameBatches(straight.subList(1, 3), take(resumed, 2));
    }
  }

  @Test
  void flipMirrorsImageMasksAndBoxesTogether() {
    List<Batch> plain;
    List<Batch> flipped;
    try (CocoLoader l = base().optShuffle(false).optFlipProbability(0).optWorkers(0).build()) {
      plain = take(l, 3);
    }
    try (CocoLoader l = base().optShuffle(false).optFlipProbability(1).optWorkers(0).build()) {
      flipped = take(l, 3);
    }
    int checkedMasks = 0;
    for (int b = 0; b < 3; b++) {
      Batch p = plain.get(b);
      Batch f = flipped.get(b);
      for (int i = 0; i < p.size(); i++) {
        TrainingTarget tp = p.targets().get(i);
        TrainingTarget tf = f.targets().get(i);
        assertThat(tf.flipped()).isTrue();
        assertThat(tp.flipped()).isFalse();
        int h = tf.height();
        int w = tf.width();
        for (int g = 0; g < tf.size(); g++) {
          // Boxes: x1' = w - x2, x2' = w - x1; y unchanged.
          assertThat(tf.boxes()[4 * g]).isCloseTo(w - tp.boxes()[4 * g + 2], Offset.offset(1e-3f));
          assertThat(tf.boxes()[4 * g + 2]).isCloseTo(w - tp.boxes()[4 * g], Offset.offset(1e-3f));
          assertThat(tf.boxes()[4 * g + 1]).isEqualTo(tp.boxes()[4 * g + 1]);
          // Every mask pixel lies in its flipped box (nearest sampling may reach one pixel out).
          byte[] m = tf.masks().get(g);
          int on = 0;
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              if (m[y * w + x] != 0) {
                on++;
                assertThat(x + 0.5f).isBetween(tf.boxes()[4 * g] - 1f, tf.boxes()[4 * g + 2] + 1f);
                assertThat(y + 0.5f).isBetween(tf.boxes()[4 * g + 1] - 1f, tf.boxes()[4 * g + 3] + 1f);
              }
            }
          }
          if (on > 0) {
            checkedMasks++;
          }
        }
        // The image is the mirror of the unflipped one (bilinear resizing is mirror-symmetric).
        float[] a = p.images();
        float[] c = f.images();
        int ph = p.paddedHeight();
        int pw = p.paddedWidth();
        double maxDiff = 0;
        for (int ch = 0; ch < 3; ch++) {
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              int base = ((i * 3 + ch) * ph + y) * pw;
              maxDiff = Math.max(maxDiff, Math.abs(c[base + x] - a[base + w - 1 - x]));
            }
          }
        }
        assertThat(maxDiff).isLessThan(1e-4);
      }
    }
    assertThat(checkedMasks).isGreaterThan(10);
  }

  @Test
  void resizeMatchesDetectionTransformAndPaddingIsZero() {
    OpenCvCodec cv = OpenCvCodec.load();
    for (ImageCodec codec : List.of(ImageIoCodec.INSTANCE, cv)) {
      // Unshuffled batch 0 mixes wide and tall images: padding on both axes.
      try (CocoLoader l = base().optShuffle(false).optFlipProbability(0).optWorkers(0).setBatchSize(10).optCodec(codec)
          .build()) {
        Batch b = l.next();
        int ph = b.paddedHeight();
        int pw = b.paddedWidth();
        assertThat(ph % 32).isZero();
        assertThat(pw % 32).isZero();
        int maxH = 0;
        int maxW = 0;
        for (int i = 0; i < b.size(); i++) {
          TrainingTarget t = b.targets().get(i);
          maxH = Math.max(maxH, t.height());
          maxW = Math.max(maxW, t.width());
          DetectionTransform.Prepared ref = SMALL.prepare(ImageIoCodec.INSTANCE.read(Path.of(t.fileName())));
          assertThat(t.height()).isEqualTo(ref.resizedHeight());
          assertThat(t.width()).isEqualTo(ref.resizedWidth());
          int nonZeroPadding = 0;
          double maxDiff = 0;
          for (int c = 0; c < 3; c++) {
            for (int y = 0; y < ph; y++) {
              for (int x = 0; x < pw; x++) {
                float got = b.images()[((i * 3 + c) * ph + y) * pw + x];
                if (y >= t.height() || x >= t.width()) {
                  nonZeroPadding += got == 0f ? 0 : 1;
                } else {
                  float want = ref.chw()[(c * ref.paddedHeight() + y) * ref.paddedWidth() + x];
                  maxDiff = Math.max(maxDiff, Math.abs(got - want));
                }
              }
            }
          }
          assertThat(nonZeroPadding).as("non-zero padding values, image %d", i).isZero();
          // ImageIO runs DetectionTransform itself; OpenCV's resize agrees to float rounding.
          assertThat(maxDiff).as("codec %s", codec.name()).isLessThanOrEqualTo(codec == cv ? 1e-4 : 0);
        }
        // 96x64 -> 120x80 and 64x96 -> 80x120: padded to 128 both ways.
        assertThat(maxH).isEqualTo(120);
        assertThat(maxW).isEqualTo(120);
        assertThat(ph).isEqualTo(128);
        assertThat(pw).isEqualTo(128);
      }
    }
  }

  @Test
  void masksAndBoxesFollowTheResize() {
    try (CocoLoader l = base().optShuffle(false).optFlipProbability(0).optWorkers(0).setBatchSize(10).build()) {
      Batch b = l.next();
      for (TrainingTarget t : b.targets()) {
        CocoImage img = mixed.imagesById().get(t.imageId());
        assertThat(t.originalWidth()).isEqualTo(img.width());
        for (int g = 0; g < t.size(); g++) {
          // Upscaled by 1.25: mask area grows by about 1.25^2, box corners by 1.25.
          int on = 0;
          for (byte v : t.masks().get(g)) {
            on += v;
          }
          float bw = t.boxes()[4 * g + 2] - t.boxes()[4 * g];
          float bh = t.boxes()[4 * g + 3] - t.boxes()[4 * g + 1];
          assertThat((double) on).isLessThanOrEqualTo(bw * bh + bw + bh + 1);
          assertThat(on).isPositive();
        }
      }
    }
  }

  @Test
  void badImagesAndAnnotationsAreSkippedWithOneWarningEach() throws IOException {
    Path dir = root.resolve("bad");
    CocoDataset d = SceneDataset.write(dir, 4, 9L, SceneGenerator.builder().optWidth(64).optHeight(48).build(),
        ProgressListener.NONE);
    // Image 2 becomes garbage; image 3's annotations are made crowd-only; image 1 gains an
    // annotation outside the image and one with a degenerate polygon.
    Files.write(dir.resolve("images/000002.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    List<CocoAnnotation> anns = new ArrayList<>();
    for (CocoAnnotation a : d.annotations()) {
      anns.add(a.imageId() == 3
          ? new CocoAnnotation(a.id(), a.imageId(), a.categoryId(), a.bbox(), a.area(), true, a.segmentation())
          : a);
    }
    long cat = d.categories().get(0).id();
    anns.add(new CocoAnnotation(9001, 1, cat, new BoxXywh(70, 10, 5, 5), 25, false,
        new Segmentation.Polygons(List.of(new double[] {70, 10, 75, 10, 75, 15}))));
    anns.add(new CocoAnnotation(9002, 1, cat, new BoxXywh(10, 10, 5, 5), 0, false,
        new Segmentation.Polygons(List.of(new double[] {10, 10, 12, 12, 15, 15}))));
    CocoDataset bad = new CocoDataset(Map.of(), d.images(), d.categories(), anns);

    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    List<Batch> batches;
    CocoLoader l = null;
    try {
      l = CocoLoader.builder().optDataset(bad).setImageDir(dir.resolve("images")).setBatchSize(1).optTransform(SMALL)
          .optWorkers(0).optSeed(5).optCodec(ImageIoCodec.INSTANCE).build();
      batches = take(l, 6); // two epochs of the two usable-looking images
    } finally {
      System.setErr(err);
      if (l != null) {
        l.close();
      }
    }
    String text = log.toString(StandardCharsets.UTF_8);
    assertThat(l.usableImages()).isEqualTo(3); // images 1, 2 (not yet known bad) and 4
    for (Batch b : batches) {
      assertThat(b.size()).isEqualTo(1);
      assertThat(b.targets().get(0).imageId()).isIn(1L, 4L);
      assertThat(b.targets().get(0).size()).isPositive();
    }
    List<Skipped> skipped = l.skipped();
    assertThat(skipped).anySatisfy(s -> {
      assertThat(s.annotationId()).isEqualTo(9001);
      assertThat(s.reason()).contains("outside");
    });
    assertThat(skipped).anySatisfy(s -> {
      assertThat(s.annotationId()).isEqualTo(9002);
      assertThat(s.reason()).contains("degenerate polygon");
    });
    assertThat(skipped).anySatisfy(s -> {
      assertThat(s.imageId()).isEqualTo(3);
      assertThat(s.wholeImage()).isTrue();
      assertThat(s.reason()).contains("crowd");
    });
    assertThat(skipped).anySatisfy(s -> {
      assertThat(s.imageId()).isEqualTo(2);
      assertThat(s.wholeImage()).isTrue();
      assertThat(s.file().toString()).endsWith("000002.png");
    });
    // One warning per problem, however many batches met the bad file.
    assertThat(count(text, "000002.png")).isEqualTo(1);
    assertThat(count(text, "annotation 9001 of image 1")).isEqualTo(1);
    assertThat(count(text, "annotation 9002 of image 1")).isEqualTo(1);
    assertThat(text).contains("000003.png");
  }

  @Test
  void anImageCutOffHalfwayIsReportedAndSkippedNotTrainedOn() throws IOException {
    Path dir = root.resolve("cut");
    CocoDataset d = SceneDataset.write(dir, 3, 11L, SceneGenerator.builder().optWidth(64).optHeight(48).build(),
        ProgressListener.NONE);
    Path cut = dir.resolve("images/000002.png");
    byte[] png = Files.readAllBytes(cut);
    Files.write(cut, java.util.Arrays.copyOf(png, png.length / 2)); // the header is intact, the pixels half there
    CocoLoader l = CocoLoader.builder().optDataset(d).setImageDir(dir.resolve("images")).setBatchSize(1)
        .optTransform(SMALL).optWorkers(0).optSeed(3).optCodec(dev.lowlight.data.image.OpenCvCodec.load()).build();
    try {
      for (Batch b : take(l, 6)) {
        assertThat(b.targets().get(0).imageId()).isIn(1L, 3L);
      }
      assertThat(l.skipped()).anySatisfy(s -> {
        assertThat(s.imageId()).isEqualTo(2);
        assertThat(s.wholeImage()).isTrue();
        assertThat(s.reason()).contains(cut.toString(), "truncated PNG");
      });
    } finally {
      l.close();
    }
  }

  /** Lines of {@code text} that contain {@code needle}. */
  private static long count(String text, String needle) {
    return text.lines().filter(line -> line.contains(needle)).count();
  }

  @Test
  void labelsAreContiguousByCategoryIdOrByGivenNames() {
    List<CocoCategory> cats = mixed.categories();
    try (CocoLoader l = base().optWorkers(0).build()) {
      assertThat(l.numClasses()).isEqualTo(cats.size() + 1);
      List<String> byId = cats.stream().sorted((a, b) -> Long.compare(a.id(), b.id())).map(CocoCategory::name).toList();
      assertThat(l.classNames()).isEqualTo(byId);
      checkLabels(l, byId);
    }
    List<String> two = List.of(cats.get(2).name(), cats.get(0).name());
    try (CocoLoader l = base().optWorkers(0).optClassNames(two).build()) {
      assertThat(l.numClasses()).isEqualTo(3);
      checkLabels(l, two);
    }
    assertThatThrownBy(() -> base().optClassNames(List.of("unicorn")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unicorn")
        .hasMessageContaining(cats.get(0).name());
  }

  /** Each target's labels are those of its annotations' category names in {@code names}. */
  private static void checkLabels(CocoLoader l, List<String> names) {
    Map<Long, CocoCategory> catById = mixed.categoriesById();
    int seen = 0;
    for (Batch b : take(l, 3)) {
      for (TrainingTarget t : b.targets()) {
        List<Integer> want = new ArrayList<>();
        for (CocoAnnotation a : mixed.annotations()) {
          int idx = a.imageId() == t.imageId() ? names.indexOf(catById.get(a.categoryId()).name()) : -1;
          if (idx >= 0) {
            want.add(idx + 1);
          }
        }
        assertThat(Arrays.stream(t.labels()).boxed().toList()).isEqualTo(want);
        seen += t.size();
      }
    }
    assertThat(seen).isPositive();
  }

  @Test
  void synthesisOnTheFlyChangesPixelsNotTargets() {
    LowLightSynthesizer maet = create(PluginRegistry.load().synthesizer("maet"));
    List<Batch> clean;
    List<Batch> dark;
    // Batch = whole dataset, unshuffled and unflipped: batch p is epoch p, same images in order.
    try (CocoLoader l = base().optShuffle(false).optFlipProbability(0).optWorkers(0).setBatchSize(10).build()) {
      clean = take(l, 2);
    }
    try (CocoLoader l = base().optShuffle(false).optFlipProbability(0).optWorkers(2).setBatchSize(10)
        .optSynthesizer(maet).optSynthesisSeed(77).build()) {
      dark = take(l, 2);
    }
    for (int e = 0; e < 2; e++) {
      assertThat(Arrays.equals(clean.get(e).images(), dark.get(e).images())).isFalse();
      for (int i = 0; i < 10; i++) {
        assertSameTarget(clean.get(e).targets().get(i), dark.get(e).targets().get(i));
      }
    }
    // Each epoch draws new noise for the same image.
    assertThat(Arrays.equals(dark.get(0).images(), dark.get(1).images())).isFalse();
    // Epoch 0 is the offline twin's image: synthesised with LowLightTwin.imageSeed(seed, id).
    TrainingTarget t = dark.get(0).targets().get(0);
    RgbImage src = ImageIoCodec.INSTANCE.read(Path.of(t.fileName()));
    RgbImage twin = maet.synthesize(src, LowLightTwin.imageSeed(77, t.imageId())).image();
    DetectionTransform.Prepared ref = SMALL.prepare(twin);
    Batch b = dark.get(0);
    for (int y = 0; y < t.height(); y++) {
      for (int x = 0; x < t.width(); x++) {
        assertThat(b.images()[y * b.paddedWidth() + x]).isEqualTo(ref.chw()[y * ref.paddedWidth() + x]);
      }
    }
  }

  private static <O extends Record> LowLightSynthesizer create(SynthesizerProvider<O> p) {
    return p.create(p.defaultOptions());
  }

  @Test
  void readsAnnotationFileAndValidatesSettings() throws IOException {
    Path ann = root.resolve("wide").resolve(SceneDataset.ANNOTATIONS);
    try (CocoLoader l = CocoLoader.builder().setAnnotations(ann).setImageDir(root.resolve("wide/images"))
        .setBatchSize(2).optTransform(SMALL).optWorkers(1).build()) {
      assertThat(l.usableImages()).isEqualTo(CocoReader.readDataset(ann).images().size());
      assertThat(l.next().size()).isEqualTo(2);
    }
    assertThatThrownBy(() -> base().setBatchSize(0).build()).hasMessageContaining("batch size");
    assertThatThrownBy(() -> base().optFlipProbability(1.5).build()).hasMessageContaining("flip probability");
    assertThatThrownBy(() -> CocoLoader.builder().setImageDir(root).setBatchSize(1).build())
        .hasMessageContaining("setAnnotations");
  }
}
