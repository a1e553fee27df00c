package dev.lowlight.data.loading;

import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.image.ImageCodec;
import dev.lowlight.data.image.ImageCodecs;
import dev.lowlight.data.image.OpenCvCodec;
import dev.lowlight.data.transform.DetectionTransform;
import dev.lowlight.data.transform.ResizeRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
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

  // One part per job; this class only wires them and answers for them.
  private final SkipLog skipLog = new SkipLog();
  private final List<String> classNames;
  private final List<UsableImage> items;
  private final ImageCodec codec;
  private final EpochSampler sampler;
  private final UnreadableImages unreadable;
  private final BatchCollator collator;
  private final Prefetcher prefetcher;

  private CocoLoader(Builder b, CocoDataset dataset) {
    this.codec = b.codec == null ? ImageCodecs.best() : b.codec;
    AnnotationFilter.Selection selection = new AnnotationFilter(dataset, b.imageDir, skipLog).select(b.classNames);
    this.classNames = selection.classNames();
    this.items = selection.images();
    if (items.isEmpty()) {
      throw new IllegalArgumentException("no image of " + b.source() + " has a usable annotation ("
          + skipLog.size() + " left out; first: " + skipLog.any().map(Skipped::toString)
              .orElse("the dataset has no annotations") + ")");
    }
    this.sampler = new EpochSampler(items.size(), b.batchSize, b.seed, b.shuffle);
    ImagePreparer preparer = new ImagePreparer(codec, b.transform, b.flipProbability, b.seed, b.synthesizer,
        b.synthesisSeed == null ? b.seed : b.synthesisSeed, skipLog);
    this.unreadable = new UnreadableImages(items, preparer, b.seed, skipLog);
    this.collator = new BatchCollator(b.transform.sizeDivisible());
    this.prefetcher = new Prefetcher(this::batch, b.workers,
        b.prefetch == null ? Math.max(2, 2 * b.workers) : b.prefetch);
    LOG.info("COCO loader on {}: {} of {} images usable, {} classes, batch {}, {} batches/epoch, codec {}, {}, "
        + "{} worker(s)", b.source(), items.size(), dataset.images().size(), classNames.size(), b.batchSize,
        sampler.batchesPerEpoch(), codec.name(), b.synthesizer == null ? "no synthesis" : "synthesis on the fly",
        b.workers);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ BatchSource

  @Override
  public Batch next() {
    return prefetcher.next();
  }

  @Override
  public long position() {
    return prefetcher.position();
  }

  @Override
  public void seek(long newPosition) {
    prefetcher.seek(newPosition);
  }

  @Override
  public void close() {
    prefetcher.close();
  }

  // ------------------------------------------------------------------ information

  /** Everything left out so far (annotations at build time, unreadable images as batches meet them). */
  public List<Skipped> skipped() {
    return skipLog.sorted();
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
    return sampler.batchesPerEpoch();
  }

  /** The codec decoding images. */
  public ImageCodec codec() {
    return codec;
  }

  // ------------------------------------------------------------------ one batch

  /** Batch {@code p}: a pure function of the configuration and {@code p}. */
  Batch batch(long p) {
    long epoch = sampler.epochOf(p);
    int[] indices = sampler.imagesOf(p);
    List<PreparedImage> samples = new ArrayList<>(indices.length);
    for (int slot = 0; slot < indices.length; slot++) {
      if (prefetcher.closed()) {
        throw new CancellationException("the loader was closed");
      }
      samples.add(unreadable.prepareOrReplace(indices[slot], epoch, p, slot));
    }
    return collator.collate(samples, p);
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
