package dev.lowlight.train;

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
 * A deterministic {@link BatchSource} over a few generated scenes, for tests: the scenes are those
 * {@code SceneDataset.write(dir, count, seed, generator, ...)} writes (image id {@code k + 1} from
 * {@code mix(seed, k + 1)}), so that dataset can serve as the validation set of the same images; batch {@code b} holds scenes {@code b·size ..
 * b·size + size - 1} (mod the count). Scenes are generated at the model's resized size, so boxes
 * and masks need no resizing.
 */
final class SceneBatches implements BatchSource {

  private final List<Prepared> scenes = new ArrayList<>();
  private final int batchSize;
  private long position;
  private final float poison;

  private record Prepared(DetectionTransform.Prepared image, TrainingTarget target) {}

  SceneBatches(ModelConfig config, SceneGenerator generator, int count, long seed, int batchSize) {
    this(config, generator, count, seed, batchSize, 0f);
  }

  private SceneBatches(ModelConfig config, SceneGenerator generator, int count, long seed, int batchSize,
      float poison) {
    this.batchSize = batchSize;
    this.poison = poison;
    var t = config.transform();
    DetectionTransform transform = DetectionTransform.of(t.minSize(), t.maxSize(), t.imageMean(), t.imageStd(),
        t.sizeDivisible());
    for (int k = 0; k < count; k++) {
      Scene s = generator.generate(mix(seed, k + 1));
      DetectionTransform.Prepared p = transform.prepare(s.image());
      if (p.resizedHeight() != s.image().height() || p.resizedWidth() != s.image().width()) {
        throw new IllegalArgumentException("generate scenes at the transform's size, got " + s.image().width() + "x"
            + s.image().height() + " resized to " + p.resizedWidth() + "x" + p.resizedHeight());
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
      scenes.add(new Prepared(p, new TrainingTarget(k + 1, "scene-" + k, h, w, h, w, false, boxes, labels, masks)));
    }
  }

  /** The same batches with every image value replaced by {@code value} (e.g. NaN) from now on. */
  SceneBatches poisoned(float value) {
    SceneBatches copy = new SceneBatches(this, value);
    copy.position = position;
    return copy;
  }

  private SceneBatches(SceneBatches other, float poison) {
    this.scenes.addAll(other.scenes);
    this.batchSize = other.batchSize;
    this.poison = poison;
  }

  @Override
  public Batch next() {
    DetectionTransform.Prepared first = scenes.get(0).image();
    int ph = first.paddedHeight();
    int pw = first.paddedWidth();
    int plane = 3 * ph * pw;
    float[] images = new float[batchSize * plane];
    List<TrainingTarget> targets = new ArrayList<>();
    for (int j = 0; j < batchSize; j++) {
      Prepared p = scenes.get((int) ((position * batchSize + j) % scenes.size()));
      System.arraycopy(p.image().chw(), 0, images, j * plane, plane);
      targets.add(p.target());
    }
    if (poison != 0f || Float.isNaN(poison)) {
      java.util.Arrays.fill(images, poison);
    }
    position++;
    return new Batch(images, ph, pw, targets, position);
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

  /** {@code SceneDataset}'s per-image seed. */
  static long mix(long seed, long item) {
    long z = seed * 0x9E3779B97F4A7C15L + item;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
