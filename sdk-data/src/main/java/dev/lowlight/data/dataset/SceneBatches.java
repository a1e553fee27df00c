package dev.lowlight.data.dataset;

import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.data.loading.BatchSource;
import dev.lowlight.data.loading.TrainingTarget;
import dev.lowlight.data.scenes.Scene;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.data.scenes.SceneObject;
import dev.lowlight.data.transform.DetectionTransform;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic {@link BatchSource} of generated scenes, with no files and no background
 * workers, for tests and benchmarks that train. Scene {@code k} (from 0) is the image that
 * {@link SceneDataset#write SceneDataset.write(dir, count, seed, generator, ...)} writes with image
 * id {@code k + 1}, so that dataset can serve as the validation set of the same images. Batch
 * {@code b} holds scenes {@code b·size .. b·size + size - 1}: modulo {@code count} for a {@linkplain
 * #SceneBatches cycle} (rendered once, so batches allocate nothing new), or {@linkplain #endless
 * rendered afresh} for every batch (so the time of {@link #next()} includes rendering). Scenes
 * must be generated at the model's resized size, so boxes and masks need no resizing.
 *
 * <pre>{@code
 * BatchSource data = new SceneBatches(config, generator, 4, 7, 2); // a cycle of 4 scenes, 2 per batch
 * }</pre>
 */
public final class SceneBatches implements BatchSource {

  private record Prepared(DetectionTransform.Prepared image, TrainingTarget target) {}

  private final SceneGenerator generator;
  private final DetectionTransform transform;
  private final long seed;
  private final int batchSize;
  private final List<Prepared> cycle = new ArrayList<>();
  private final int paddedHeight;
  private final int paddedWidth;
  private long position;

  /**
   * Batches of {@code batchSize} over a cycle of {@code count} scenes, rendered now.
   *
   * @throws IllegalArgumentException if {@code count} or {@code batchSize} is below 1, or the configuration's transform
   *     resizes the generator's scenes
   */
  public SceneBatches(ModelConfig config, SceneGenerator generator, int count, long seed, int batchSize) {
    this(config, generator, seed, batchSize, atLeastOne(count));
  }

  /** {@code cycleLength} scenes rendered now and repeated, or none: every batch rendered afresh. */
  private SceneBatches(ModelConfig config, SceneGenerator generator, long seed, int batchSize, int cycleLength) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    var t = config.transform();
    this.transform = DetectionTransform.of(t.minSize(), t.maxSize(), t.imageMean(), t.imageStd(),
        t.sizeDivisible());
    this.generator = generator;
    this.seed = seed;
    this.batchSize = batchSize;
    for (int k = 0; k < cycleLength; k++) {
      cycle.add(prepare(k));
    }
    DetectionTransform.Prepared first = (cycle.isEmpty() ? prepare(0) : cycle.get(0)).image();
    this.paddedHeight = first.paddedHeight();
    this.paddedWidth = first.paddedWidth();
  }

  private static int atLeastOne(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("a cycle needs at least 1 scene, got " + count);
    }
    return count;
  }

  /**
   * Batches of {@code batchSize} scenes rendered afresh for every batch, never repeating.
   *
   * @throws IllegalArgumentException if the batch size is below 1, or the configuration's
   *     transform resizes the generator's scenes
   */
  public static SceneBatches endless(ModelConfig config, SceneGenerator generator, long seed, int batchSize) {
    return new SceneBatches(config, generator, seed, batchSize, 0);
  }

  /** The height of every batch's images after padding. */
  public int paddedHeight() {
    return paddedHeight;
  }

  /** The width of every batch's images after padding. */
  public int paddedWidth() {
    return paddedWidth;
  }

  @Override
  public Batch next() {
    int plane = 3 * paddedHeight * paddedWidth;
    float[] images = new float[batchSize * plane];
    List<TrainingTarget> targets = new ArrayList<>();
    for (int j = 0; j < batchSize; j++) {
      long k = position * batchSize + j;
      Prepared p = cycle.isEmpty() ? prepare(k) : cycle.get((int) (k % cycle.size()));
      System.arraycopy(p.image().chw(), 0, images, j * plane, plane);
      targets.add(p.target());
    }
    position++;
    return new Batch(images, paddedHeight, paddedWidth, targets, position);
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public void seek(long position) {
    this.position = position;
  }

  @Override
  public void close() {}

  /** Scene {@code k}: rendered, transformed, and its objects as a training target. */
  private Prepared prepare(long k) {
    Scene s = generator.generate(SceneDataset.mix(seed, k + 1));
    DetectionTransform.Prepared p = transform.prepare(s.image());
    if (p.resizedHeight() != s.image().height() || p.resizedWidth() != s.image().width()) {
      throw new IllegalArgumentException("the configuration's transform resizes " + s.image().width() + "x"
          + s.image().height() + " scenes to " + p.resizedWidth() + "x" + p.resizedHeight()
          + "; set transform min_size and max_size to the scene size");
    }
    List<SceneObject> objects = s.objects();
    float[] boxes = new float[4 * objects.size()];
    int[] labels = new int[objects.size()];
    List<byte[]> masks = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      SceneObject o = objects.get(i);
      int[] b = o.bbox();
      boxes[4 * i] = b[0];
      boxes[4 * i + 1] = b[1];
      boxes[4 * i + 2] = b[0] + b[2];
      boxes[4 * i + 3] = b[1] + b[3];
      labels[i] = o.categoryId();
      byte[] m = new byte[o.mask().length];
      for (int j = 0; j < m.length; j++) {
        m[j] = (byte) (o.mask()[j] ? 1 : 0);
      }
      masks.add(m);
    }
    int h = s.image().height();
    int w = s.image().width();
    return new Prepared(p, new TrainingTarget(k + 1, "scene-" + k, h, w, h, w, false, boxes, labels, masks));
  }
}
