package dev.lowlight.data.loading;

import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoAnnotation;
import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Rle;
import dev.lowlight.data.coco.Segmentation;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.image.ImageCodec;
import dev.lowlight.data.image.ImageCodecs;
import dev.lowlight.data.image.ImageReadException;
import dev.lowlight.data.image.OpenCvCodec;
import dev.lowlight.data.transform.DetectionTransform;
import dev.lowlight.data.transform.ResizeRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training batches from a COCO dataset: decode, optionally darken on the fly, flip, normalise,
 * resize by torchvision's rule, and pad into batches, prepared ahead by background workers.
 *
 * <pre>{@code
 * try (CocoLoader loader = CocoLoader.builder()
 *     .setAnnotations(Path.of("scenes/annotations.json"))
 *     .setImageDir(Path.of("scenes/images"))
 *     .setBatchSize(2)
 *     .optTransform(DetectionTransform.of(800, 1333, mean, std, 32))
 *     .optSynthesizer("maet")
 *     .optSeed(42)
 *     .optWorkers(2)
 *     .build()) {
 *   Batch b = loader.next();        // b.images() is N x 3 x H x W, H and W multiples of 32
 *   long resumeAt = loader.position();
 * }
 * }</pre>
 *
 * <h2>Determinism</h2>
 * Batch {@code p} (0-based) is a function of the seed, the dataset, the options and {@code p}
 * alone: epoch {@code e = p / batchesPerEpoch} shuffles the usable images with a generator seeded
 * from {@code (seed, e)}, the batch takes its slice of that order, and each image's flip and noise
 * are drawn from generators seeded from {@code (seed, image id, e)}. No state is carried from one
 * batch to the next, so the output is the same with 0, 1 or 8 workers and any timing, and {@link
 * #seek} resumes exactly. (The decoded pixels of a JPEG depend on the codec, OpenCV or ImageIO,
 * by the rounding of their IDCTs; runs are bit-identical for one codec.)
 *
 * <h2>Epochs</h2>
 * Each epoch is {@code floor(usable / batchSize)} batches (the incomplete last batch is dropped,
 * as torchvision's reference {@code BatchSampler(drop_last=True)} does); a dataset smaller than one
 * batch gives one smaller batch per epoch. Batches are not grouped by aspect ratio.
 *
 * <h2>Synthesis on the fly</h2>
 * With a synthesizer, image {@code id} of epoch {@code e} is darkened with seed {@code s_e}, where
 * {@code s_0 = LowLightTwin.imageSeed(seed, id)} — the seed {@code lowlight synth} uses, so epoch 0
 * sees the offline twin's image (up to its JPEG/PNG encoding) — and {@code s_e =
 * LowLightTwin.imageSeed(s_0, e)} for later epochs, so each epoch sees new noise and new
 * exposure. Targets are unchanged by synthesis.
 *
 * <h2>Transform</h2>
 * As torchvision's reference training: a horizontal flip with probability {@link
 * Builder#optFlipProbability 0.5} at the original size ({@code x1' = W - x2}), then {@code
 * GeneralizedRCNNTransform}: normalisation with the model's mean and std, bilinear resize by the
 * {@link ResizeRule} ({@code align_corners=False}), boxes scaled by {@code newSize / oldSize},
 * masks resized with PyTorch's legacy {@code nearest} (source index {@code min(floor(d * in /
 * out), in - 1)}), and zero padding of the normalised batch to a multiple of {@code
 * sizeDivisible}. Nearest (not bilinear + 0.5 threshold) because that is what torchvision does to
 * training masks, so targets match those of the models we compare against; it also keeps masks
 * binary without a threshold choice. With OpenCV as the codec the image resize runs in OpenCV
 * ({@link OpenCvCodec#normaliseResizeChw}, equal to {@link DetectionTransform} within 1e-5); with ImageIO it is
 * {@link DetectionTransform#prepare} itself.
 *
 * <h2>What is left out</h2>
 * Crowd annotations ({@code iscrowd=1}) and annotations of categories outside the label map are
 * not targets (torchvision's reference drops crowds too). An annotation whose box is empty or
 * lies outside the image after clamping, whose polygon has no area, that has no segmentation, or
 * whose mask cannot be decoded is skipped with one warning naming the file and the annotation id.
 * An image left without usable annotations is not trained on, as torchvision's reference removes
 * images without annotations ({@code _coco_remove_images_without_annotations}): one warning per
 * image that had annotations (crowd-only, or all skipped), one summary line for the unannotated
 * ones. An image that cannot be decoded, or whose size differs from the annotation file's, is
 * skipped with one warning when a batch first meets it, and its slot is filled with another image
 * drawn from a generator seeded by {@code (seed, batch, slot)} — deterministic, as a file's
 * readability does not depend on timing. {@link #skipped()} lists everything left out.
 */
public final class CocoLoader implements BatchSource {

  private static final Logger LOG = LoggerFactory.getLogger(CocoLoader.class);

  private static final long SHUFFLE_SALT = 0x5348554646_4C45L;
  private static final long FLIP_SALT = 0x464C4950L;
  private static final long REPLACE_SALT = 0x5245504CL;
  private static final int MAX_REPLACEMENTS = 64;

  private final CocoDataset dataset;
  private final Path imageDir;
  private final int batchSize;
  private final DetectionTransform transform;
  private final double flipProbability;
  private final long seed;
  private final boolean shuffle;
  private final LowLightSynthesizer synthesizer;
  private final long synthesisSeed;
  private final ImageCodec codec;
  private final List<String> classNames;
  private final List<Item> items;
  private final long batchesPerEpoch;
  private final int workers;
  private final int prefetch;

  private final Map<String, Skipped> skipped = new ConcurrentHashMap<>();
  private final Map<Integer, String> badImages = new ConcurrentHashMap<>();
  private final Map<Long, int[]> orders = Collections.synchronizedMap(new LinkedHashMap<>(4, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, int[]> eldest) {
      // Workers straddle at most two epochs at a time; a few entries avoid recomputing orders.
      return size() > 4;
    }
  });

  private final ExecutorService executor;
  private final ArrayDeque<Future<Batch>> window = new ArrayDeque<>();
  private long position;
  private long submitted;
  private volatile boolean closed;

  /** A usable image with the annotations that become its targets. */
  private record Item(CocoImage image, Path file, List<CocoAnnotation> annotations, int[] labels) {}

  /** One prepared image: unpadded normalised planes and its targets. */
  private record Sample(float[] chw, TrainingTarget target) {}

  private CocoLoader(Builder b, CocoDataset dataset) {
    this.dataset = dataset;
    this.imageDir = b.imageDir;
    this.batchSize = b.batchSize;
    this.transform = b.transform;
    this.flipProbability = b.flipProbability;
    this.seed = b.seed;
    this.shuffle = b.shuffle;
    this.synthesizer = b.synthesizer;
    this.synthesisSeed = b.synthesisSeed == null ? b.seed : b.synthesisSeed;
    this.codec = b.codec == null ? ImageCodecs.best() : b.codec;
    this.workers = b.workers;
    this.prefetch = b.prefetch == null ? Math.max(2, 2 * b.workers) : b.prefetch;
    Map<Long, Integer> labelOf = new HashMap<>();
    this.classNames = labelMap(dataset, b.classNames, labelOf);
    this.items = usableItems(labelOf);
    if (items.isEmpty()) {
      throw new IllegalArgumentException("no image of " + b.source() + " has a usable annotation ("
          + skipped.size() + " left out; first: " + skipped.values().stream().findFirst().map(Skipped::toString)
              .orElse("the dataset has no annotations") + ")");
    }
    this.batchesPerEpoch = Math.max(1, items.size() / batchSize);
    this.executor = workers == 0 ? null : Executors.newFixedThreadPool(workers, daemonThreads());
    LOG.info("COCO loader on {}: {} of {} images usable, {} classes, batch {}, {} batches/epoch, codec {}, {}, "
        + "{} worker(s)", b.source(), items.size(), dataset.images().size(), classNames.size(), batchSize,
        batchesPerEpoch, codec.name(), synthesizer == null ? "no synthesis" : "synthesis on the fly", workers);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ setup

  /**
   * Contiguous labels {@code 1..K} (0 is the background): categories in order of their ids, or the
   * given class names in their order.
   */
  private static List<String> labelMap(CocoDataset dataset, List<String> names, Map<Long, Integer> labelOf) {
    List<CocoCategory> cats = new ArrayList<>(dataset.categories());
    cats.sort(Comparator.comparingLong(CocoCategory::id));
    if (names == null) {
      List<String> out = new ArrayList<>();
      for (CocoCategory c : cats) {
        labelOf.put(c.id(), out.size() + 1);
        out.add(c.name());
      }
      return List.copyOf(out);
    }
    Map<String, Long> idByName = new LinkedHashMap<>();
    for (CocoCategory c : cats) {
      idByName.putIfAbsent(c.name(), c.id());
    }
    for (int i = 0; i < names.size(); i++) {
      Long id = idByName.get(names.get(i));
      if (id == null) {
        throw new IllegalArgumentException("class name '" + names.get(i) + "' is not a category of the dataset; "
            + "its categories are " + idByName.keySet());
      }
      if (labelOf.put(id, i + 1) != null) {
        throw new IllegalArgumentException("class name '" + names.get(i) + "' is given twice");
      }
    }
    return List.copyOf(names);
  }

  private List<Item> usableItems(Map<Long, Integer> labelOf) {
    Map<Long, List<CocoAnnotation>> byImage = new HashMap<>();
    for (CocoAnnotation a : dataset.annotations()) {
      byImage.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
    }
    List<Item> out = new ArrayList<>();
    int unannotated = 0;
    for (CocoImage img : dataset.images()) {
      Path file = imageDir.resolve(img.fileName());
      List<CocoAnnotation> anns = byImage.getOrDefault(img.id(), List.of());
      List<CocoAnnotation> kept = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      int crowd = 0;
      int otherClasses = 0;
      for (CocoAnnotation a : anns) {
        if (a.iscrowd()) {
          crowd++;
          continue;
        }
        Integer label = labelOf.get(a.categoryId());
        if (label == null) {
          otherClasses++;
          continue;
        }
        String problem = annotationProblem(a, img);
        if (problem != null) {
          skip(file, img.id(), a.id(), problem);
          continue;
        }
        kept.add(a);
        labels.add(label);
      }
      if (kept.isEmpty()) {
        if (anns.isEmpty()) {
          unannotated++;
          skipped.put("i" + img.id(), new Skipped(file, img.id(), Skipped.WHOLE_IMAGE, "no annotations"));
        } else {
          String reason;
          if (crowd == anns.size()) {
            reason = "only crowd annotations (" + crowd + "), none usable for training";
          } else if (crowd + otherClasses == anns.size()) {
            reason = "no annotation of the chosen classes (" + otherClasses + " of other classes, " + crowd + " crowd)";
          } else {
            reason = "no usable annotation left for training";
          }
          skip(file, img.id(), Skipped.WHOLE_IMAGE, reason);
        }
        continue;
      }
      out.add(new Item(img, file, List.copyOf(kept), labels.stream().mapToInt(Integer::intValue).toArray()));
    }
    if (unannotated > 0) {
      LOG.warn("{} image(s) without annotations are left out of training, as torchvision's reference does",
          unannotated);
    }
    return List.copyOf(out);
  }

  /** Why an annotation cannot be a training target, or {@code null} when it can. */
  private static String annotationProblem(CocoAnnotation a, CocoImage img) {
    double x = a.bbox().x();
    double y = a.bbox().y();
    double w = a.bbox().w();
    double h = a.bbox().h();
    if (!(Double.isFinite(x) && Double.isFinite(y) && Double.isFinite(w) && Double.isFinite(h))) {
      return "box " + a.bbox() + " is not finite";
    }
    // The same float32 arithmetic as the targets, so that a box kept here is never empty there.
    float x1 = Math.min(Math.max((float) x, 0f), img.width());
    float y1 = Math.min(Math.max((float) y, 0f), img.height());
    float x2 = Math.min(Math.max((float) x + (float) w, 0f), img.width());
    float y2 = Math.min(Math.max((float) y + (float) h, 0f), img.height());
    if (!(x2 > x1 && y2 > y1)) {
      return "box [x=" + x + ", y=" + y + ", w=" + w + ", h=" + h + "] is empty or outside the " + img.width() + "x"
          + img.height() + " image";
    }
    Segmentation s = a.segmentation();
    if (s == null) {
      return "no segmentation (Mask R-CNN needs a mask per instance)";
    }
    if (s instanceof Segmentation.Polygons p) {
      if (p.polygons().isEmpty()) {
        return "degenerate polygon: no parts";
      }
      double area = 0;
      boolean boxes = p.polygons().get(0).length == 4;
      for (double[] part : p.polygons()) {
        for (double v : part) {
          if (!Double.isFinite(v)) {
            return "polygon has a non-finite coordinate";
          }
        }
        area += boxes && part.length == 4 ? Math.abs(part[2] * part[3]) : shoelace(part);
      }
      if (!(area > 0)) {
        return "degenerate polygon: zero area (" + p.polygons().size() + " part(s), points on a line or fewer than 3)";
      }
    }
    return null;
  }

  private static double shoelace(double[] xy) {
    int k = xy.length / 2;
    double s = 0;
    for (int i = 0; i < k; i++) {
      int j = (i + 1) % k;
      s += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    return Math.abs(s) / 2;
  }

  private void skip(Path file, long imageId, long annotationId, String reason) {
    String key = (annotationId == Skipped.WHOLE_IMAGE ? "i" + imageId : "a" + annotationId);
    Skipped s = new Skipped(file, imageId, annotationId, reason);
    if (skipped.putIfAbsent(key, s) == null) {
      LOG.warn("skipping {}", s);
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "lowlight-loader-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ------------------------------------------------------------------ BatchSource

  @Override
  public synchronized Batch next() {
    if (closed) {
      throw new IllegalStateException("the loader is closed");
    }
    Batch b;
    if (executor == null) {
      b = batch(position);
    } else {
      fill();
      Future<Batch> f = window.pollFirst();
      try {
        b = f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        window.addFirst(f);
        throw new IllegalStateException("interrupted while waiting for batch " + position, e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException re) {
          throw re;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException("preparing batch " + position + " failed: " + c, c);
      }
    }
    position++;
    if (executor != null) {
      fill();
    }
    return b;
  }

  private void fill() {
    while (window.size() < prefetch) {
      long p = submitted++;
      window.addLast(executor.submit(() -> batch(p)));
    }
  }

  @Override
  public synchronized long position() {
    return position;
  }

  @Override
  public synchronized void seek(long newPosition) {
    if (newPosition < 0) {
      throw new IllegalArgumentException("position must be >= 0, got " + newPosition);
    }
    for (Future<Batch> f : window) {
      // Not interrupting: a worker inside native decoding finishes and its result is dropped.
      f.cancel(false);
    }
    window.clear();
    position = newPosition;
    submitted = newPosition;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Future<Batch> f : window) {
      f.cancel(false);
    }
    window.clear();
    if (executor != null) {
      executor.shutdown();
      try {
        // Workers stop at their next image; waiting means no file is touched after close returns.
        if (!executor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
          LOG.warn("loader workers still busy 30 s after close");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ------------------------------------------------------------------ information

  /** Everything left out so far (annotations at build time, unreadable images as batches meet them). */
  public List<Skipped> skipped() {
    List<Skipped> out = new ArrayList<>(skipped.values());
    out.sort(Comparator.comparingLong(Skipped::imageId).thenComparingLong(Skipped::annotationId));
    return out;
  }

  /** Class names by label: label {@code i + 1} is {@code classNames().get(i)}; 0 is the background. */
  public List<String> classNames() {
    return classNames;
  }

  /** Number of classes including the background, Mask R-CNN's {@code num_classes}. */
  public int numClasses() {
    return classNames.size() + 1;
  }

  /** Images with at least one usable annotation. */
  public int usableImages() {
    return items.size();
  }

  /** Batches in one epoch. */
  public long batchesPerEpoch() {
    return batchesPerEpoch;
  }

  /** The codec decoding images. */
  public ImageCodec codec() {
    return codec;
  }

  // ------------------------------------------------------------------ one batch

  /** Batch {@code p}: a pure function of the configuration and {@code p}. */
  Batch batch(long p) {
    long epoch = p / batchesPerEpoch;
    int k = (int) (p % batchesPerEpoch);
    int[] order = order(epoch);
    int n = Math.min(batchSize, order.length);
    List<Sample> samples = new ArrayList<>(n);
    for (int slot = 0; slot < n; slot++) {
      if (closed) {
        throw new CancellationException("the loader was closed");
      }
      samples.add(sampleOrReplacement(order[k * n + slot], epoch, p, slot));
    }
    int maxH = 0;
    int maxW = 0;
    for (Sample s : samples) {
      maxH = Math.max(maxH, s.target().height());
      maxW = Math.max(maxW, s.target().width());
    }
    int ph = roundUp(maxH);
    int pw = roundUp(maxW);
    float[] images = new float[n * 3 * ph * pw];
    List<TrainingTarget> targets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Sample s = samples.get(i);
      int h = s.target().height();
      int w = s.target().width();
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < h; y++) {
          System.arraycopy(s.chw(), (c * h + y) * w, images, ((i * 3 + c) * ph + y) * pw, w);
        }
      }
      targets.add(s.target());
    }
    return new Batch(images, ph, pw, targets, p + 1);
  }

  private int roundUp(int v) {
    int d = transform.sizeDivisible();
    return (v + d - 1) / d * d;
  }

  private int[] order(long epoch) {
    int[] cached = orders.get(epoch);
    if (cached != null) {
      return cached;
    }
    int[] order = new int[items.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom r = new SplittableRandom(LowLightTwin.imageSeed(seed ^ SHUFFLE_SALT, epoch));
      for (int i = order.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    orders.put(epoch, order);
    return order;
  }

  private Sample sampleOrReplacement(int index, long epoch, long p, int slot) {
    SplittableRandom replacements = null;
    int candidate = index;
    for (int attempt = 0; attempt <= MAX_REPLACEMENTS; attempt++) {
      if (!badImages.containsKey(candidate)) {
        Sample s = sample(candidate, epoch);
        if (s != null) {
          return s;
        }
      }
      if (replacements == null) {
        replacements = new SplittableRandom(LowLightTwin.imageSeed(LowLightTwin.imageSeed(seed ^ REPLACE_SALT, p), slot));
      }
      candidate = replacements.nextInt(items.size());
    }
    throw new IllegalStateException("batch " + p + ": " + (MAX_REPLACEMENTS + 1) + " images in a row could not be read ("
        + badImages.size() + " of " + items.size() + " unreadable so far; see the warnings), giving up");
  }

  /** Prepares image {@code index} for {@code epoch}, or {@code null} when it cannot be used. */
  private Sample sample(int index, long epoch) {
    Item item = items.get(index);
    CocoImage info = item.image();
    int hh = info.height();
    int ww = info.width();
    RgbImage image;
    try {
      image = codec.read(item.file());
    } catch (ImageReadException e) {
      return markBad(index, e.getMessage());
    } catch (RuntimeException e) {
      // A native decoder can fail in ways no codec wraps (a cv::Exception); still one bad file.
      return markBad(index, "cannot read image " + item.file() + ": " + e);
    }
    if (image.width() != ww || image.height() != hh) {
      return markBad(index, "the file is " + image.width() + "x" + image.height() + " but the annotations say " + ww + "x"
          + hh);
    }
    List<byte[]> fullMasks = new ArrayList<>(item.annotations().size());
    List<Integer> keep = new ArrayList<>();
    for (int g = 0; g < item.annotations().size(); g++) {
      CocoAnnotation a = item.annotations().get(g);
      try {
        Rle rle = MaskApi.toRle(a.segmentation(), hh, ww);
        if (rle.height() != hh || rle.width() != ww) {
          skip(item.file(), info.id(), a.id(), "mask is " + rle.width() + "x" + rle.height() + ", the image " + ww
              + "x" + hh);
          continue;
        }
        fullMasks.add(MaskApi.decode(rle));
        keep.add(g);
      } catch (RuntimeException e) {
        skip(item.file(), info.id(), a.id(), "mask cannot be decoded: " + e.getMessage());
      }
    }
    if (keep.isEmpty()) {
      return markBad(index, "no annotation has a decodable mask");
    }
    if (synthesizer != null) {
      long s0 = LowLightTwin.imageSeed(synthesisSeed, info.id());
      long s = epoch == 0 ? s0 : LowLightTwin.imageSeed(s0, epoch);
      image = synthesizer.synthesize(image, s).image();
      if (image.width() != ww || image.height() != hh) {
        throw new IllegalStateException("the synthesizer changed the size of " + item.file() + " from " + ww + "x" + hh
            + " to " + image.width() + "x" + image.height());
      }
    }
    boolean flip = flipProbability > 0 && new SplittableRandom(
        LowLightTwin.imageSeed(LowLightTwin.imageSeed(seed ^ FLIP_SALT, info.id()), epoch)).nextDouble()
        < flipProbability;
    if (flip) {
      image = mirror(image);
    }
    int[] size = transform.rule().resizedSize(hh, ww);
    int h = size[0];
    int w = size[1];
    float[] chw = resizeNormalised(image, h, w);

    int g = keep.size();
    float[] boxes = new float[4 * g];
    int[] labels = new int[g];
    List<byte[]> masks = new ArrayList<>(g);
    // torchvision's resize_boxes: ratios of float32 sizes.
    float rx = (float) w / (float) ww;
    float ry = (float) h / (float) hh;
    int[] srcX = nearest(ww, w);
    int[] srcY = nearest(hh, h);
    for (int i = 0; i < g; i++) {
      int src = keep.get(i);
      CocoAnnotation a = item.annotations().get(src);
      labels[i] = item.labels()[src];
      // torchvision's ConvertCocoPolysToMask: float32 xywh, x2 = x + w in float32, clamped.
      float bx = (float) a.bbox().x();
      float by = (float) a.bbox().y();
      float x1 = Math.min(Math.max(bx, 0f), ww);
      float y1 = Math.min(Math.max(by, 0f), hh);
      float x2 = Math.min(Math.max(bx + (float) a.bbox().w(), 0f), ww);
      float y2 = Math.min(Math.max(by + (float) a.bbox().h(), 0f), hh);
      if (flip) {
        float t = ww - x2;
        x2 = ww - x1;
        x1 = t;
      }
      boxes[4 * i] = x1 * rx;
      boxes[4 * i + 1] = y1 * ry;
      boxes[4 * i + 2] = x2 * rx;
      boxes[4 * i + 3] = y2 * ry;
      masks.add(resizeMask(fullMasks.get(i), hh, ww, h, w, srcX, srcY, flip));
    }
    TrainingTarget target = new TrainingTarget(info.id(), item.file().toString(), hh, ww, h, w, flip, boxes, labels,
        masks);
    return new Sample(chw, target);
  }

  private Sample markBad(int index, String reason) {
    Item item = items.get(index);
    if (badImages.putIfAbsent(index, reason) == null) {
      skip(item.file(), item.image().id(), Skipped.WHOLE_IMAGE, reason);
    }
    return null;
  }

  /** Normalised, resized planes {@code 3 × h × w}, unpadded. */
  private float[] resizeNormalised(RgbImage image, int h, int w) {
    if (codec instanceof OpenCvCodec cv) {
      return cv.normaliseResizeChw(image, transform.mean(), transform.std(), h, w);
    }
    DetectionTransform.Prepared p = transform.prepare(image);
    if (p.resizedHeight() != h || p.resizedWidth() != w) {
      throw new IllegalStateException("DetectionTransform resized to " + p.resizedHeight() + "x" + p.resizedWidth()
          + ", expected " + h + "x" + w);
    }
    if (p.paddedHeight() == h && p.paddedWidth() == w) {
      return p.chw();
    }
    float[] out = new float[3 * h * w];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        System.arraycopy(p.chw(), (c * p.paddedHeight() + y) * p.paddedWidth(), out, (c * h + y) * w, w);
      }
    }
    return out;
  }

  private static RgbImage mirror(RgbImage image) {
    int w = image.width();
    int h = image.height();
    float[] src = image.pixels();
    float[] dst = new float[src.length];
    for (int y = 0; y < h; y++) {
      int row = y * w * 3;
      for (int x = 0; x < w; x++) {
        int s = row + (w - 1 - x) * 3;
        int d = row + x * 3;
        dst[d] = src[s];
        dst[d + 1] = src[s + 1];
        dst[d + 2] = src[s + 2];
      }
    }
    return new RgbImage(w, h, dst);
  }

  /** PyTorch's legacy nearest: {@code min(floor(d * (float) in / out), in - 1)} in float32. */
  static int[] nearest(int in, int out) {
    float scale = (float) in / out;
    int[] idx = new int[out];
    for (int d = 0; d < out; d++) {
      idx[d] = Math.min((int) Math.floor(d * scale), in - 1);
    }
    return idx;
  }

  /**
   * Resizes a column-major {@code hh × ww} mask (COCO's layout) to a row-major {@code h × w} one,
   * mirrored when the image was: flipping at the original size, then resizing, as torchvision's
   * reference transforms do.
   */
  private static byte[] resizeMask(byte[] colMajor, int hh, int ww, int h, int w, int[] srcX, int[] srcY,
      boolean flip) {
    byte[] out = new byte[h * w];
    for (int x = 0; x < w; x++) {
      int sx = flip ? ww - 1 - srcX[x] : srcX[x];
      int col = sx * hh;
      for (int y = 0; y < h; y++) {
        out[y * w + x] = colMajor[col + srcY[y]];
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ builder

  /**
   * Builds a {@link CocoLoader}: {@code set*} are required, {@code opt*} optional.
   */
  public static final class Builder {

    private Path annotations;
    private CocoDataset dataset;
    private Path imageDir;
    private int batchSize;
    private DetectionTransform transform = new DetectionTransform(new ResizeRule(800, 1333),
        new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, 32);
    private double flipProbability = 0.5;
    private long seed;
    private boolean shuffle = true;
    private LowLightSynthesizer synthesizer;
    private Long synthesisSeed;
    private ImageCodec codec;
    private List<String> classNames;
    private int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private Integer prefetch;

    Builder() {}

    /** The COCO instances file (required unless {@link #optDataset} is given). */
    public Builder setAnnotations(Path annotations) {
      this.annotations = annotations;
      return this;
    }

    /** The folder the images' {@code file_name}s are relative to (required). */
    public Builder setImageDir(Path imageDir) {
      this.imageDir = imageDir;
      return this;
    }

    /** Images per batch (required, at least 1). */
    public Builder setBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** An already-read dataset, instead of {@link #setAnnotations}. */
    public Builder optDataset(CocoDataset dataset) {
      this.dataset = dataset;
      return this;
    }

    /**
     * The model's normalisation, resize rule and padding multiple; default torchvision's {@code
     * maskrcnn_resnet50_fpn}: ImageNet mean/std, 800/1333, 32.
     */
    public Builder optTransform(DetectionTransform transform) {
      this.transform = transform;
      return this;
    }

    /** Only the resize rule (mean, std and padding stay). */
    public Builder optResize(int minSize, int maxSize) {
      this.transform = new DetectionTransform(new ResizeRule(minSize, maxSize), transform.mean(), transform.std(),
          transform.sizeDivisible());
      return this;
    }

    /**
     * Class names, label {@code i + 1} for {@code names.get(i)}, matched to category names; other
     * categories are not targets. Default: every category, by increasing id.
     */
    public Builder optClassNames(List<String> classNames) {
      this.classNames = classNames == null ? null : List.copyOf(classNames);
      return this;
    }

    /** Probability of a horizontal flip, default 0.5. */
    public Builder optFlipProbability(double flipProbability) {
      this.flipProbability = flipProbability;
      return this;
    }

    /** Seed of shuffling, flips and (by default) synthesis; default 0. */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Whether each epoch shuffles the images, default {@code true}; otherwise file order. */
    public Builder optShuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Darkens every image on the fly with this synthesizer (seeded as the class javadoc says). */
    public Builder optSynthesizer(LowLightSynthesizer synthesizer) {
      this.synthesizer = synthesizer;
      return this;
    }

    /** Darkens with the named synthesizer plugin and its default options. */
    public Builder optSynthesizer(String name) {
      this.synthesizer = create(PluginRegistry.load().synthesizer(name));
      return this;
    }

    private static <O extends Record> LowLightSynthesizer create(SynthesizerProvider<O> provider) {
      return provider.create(provider.defaultOptions());
    }

    /** The seed synthesis starts from, when it should differ from {@link #optSeed}. */
    public Builder optSynthesisSeed(long synthesisSeed) {
      this.synthesisSeed = synthesisSeed;
      return this;
    }

    /** The codec; default {@link ImageCodecs#best()}. */
    public Builder optCodec(ImageCodec codec) {
      this.codec = codec;
      return this;
    }

    /** Background threads preparing batches; 0 prepares each batch in {@link #next()}'s caller. */
    public Builder optWorkers(int workers) {
      this.workers = workers;
      return this;
    }

    /** Batches prepared ahead (the queue bound); default {@code max(2, 2 * workers)}. */
    public Builder optPrefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    String source() {
      return annotations != null ? annotations.toString() : "a dataset given in code";
    }

    /** Checks the settings, naming the first bad one. */
    public void validate() {
      if (annotations == null && dataset == null) {
        throw new IllegalArgumentException("setAnnotations (or optDataset) is required");
      }
      if (annotations != null && dataset != null) {
        throw new IllegalArgumentException("give setAnnotations or optDataset, not both");
      }
      Objects.requireNonNull(imageDir, "setImageDir is required");
      Objects.requireNonNull(transform, "transform");
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      if (!(flipProbability >= 0 && flipProbability <= 1)) {
        throw new IllegalArgumentException("flip probability must be in [0, 1], got " + flipProbability);
      }
      if (workers < 0) {
        throw new IllegalArgumentException("workers must be >= 0, got " + workers);
      }
      if (prefetch != null && prefetch < 1) {
        throw new IllegalArgumentException("prefetch must be >= 1, got " + prefetch);
      }
      if (classNames != null && classNames.isEmpty()) {
        throw new IllegalArgumentException("class names, when given, must not be empty");
      }
    }

    /**
     * Reads the annotations and builds the loader; annotation problems are logged and listed in
     * {@link CocoLoader#skipped()}.
     *
     * @throws UncheckedIOException naming the annotation file when it cannot be read
     * @throws IllegalArgumentException for bad settings or a dataset without any usable image
     */
    public CocoLoader build() {
      validate();
      CocoDataset ds = dataset;
      if (ds == null) {
        try {
          ds = CocoReader.readDataset(annotations);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + annotations + ": " + e.getMessage(), e);
        }
      }
      return new CocoLoader(this, ds);
    }
  }
}
