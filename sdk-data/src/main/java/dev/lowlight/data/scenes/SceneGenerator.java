package dev.lowlight.data.scenes;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.synth.SeededRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates procedural scenes: shapes of several classes and topologies on textured or gradient
 * backgrounds under uneven lighting, with an exact instance mask for every visible object. This is
 * the SDK's embedded dataset, so the quickstart needs no download.
 *
 * <p>Objects are drawn back to front with hard edges (a pixel belongs to a shape when its centre
 * does), so later objects occlude earlier ones and every mask is exactly the set of pixels showing
 * its object. Objects left with fewer than {@code minVisibleArea} visible pixels are dropped and
 * their visible fragments repainted with the background, so every non-background pixel belongs to
 * exactly one annotated object. Sizes are log-uniform between {@code minObjectSize} (about 8 px)
 * and {@code maxObjectSize} (by default half the shorter side). All draws come from {@link
 * SeededRandom} and all maths is {@link StrictMath} or exact float arithmetic: the same seed gives
 * the same bytes on every machine. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * SceneGenerator gen = SceneGenerator.builder().optWidth(320).optHeight(240).build();
 * Scene scene = gen.generate(7L);
 * ImageFiles.write(scene.image(), Path.of("scene.png"));
 * }</pre>
 */
public final class SceneGenerator {

  /** The object classes, ids 1..7 in this order. */
  public static final List<Category> CATEGORIES = List.of(
      new Category(1, "disc"),
      new Category(2, "ring"),
      new Category(3, "rectangle"),
      new Category(4, "triangle"),
      new Category(5, "star"),
      new Category(6, "ellipse"),
      new Category(7, "cross"));

  private final int width;
  private final int height;
  private final int minObjects;
  private final int maxObjects;
  private final double minObjectSize;
  private final double maxObjectSize;
  private final int minVisibleArea;

  SceneGenerator(Builder b) {
    this.width = b.width;
    this.height = b.height;
    this.minObjects = b.minObjects;
    this.maxObjects = b.maxObjects;
    this.minObjectSize = b.minObjectSize;
    this.maxObjectSize = b.maxObjectSize > 0 ? b.maxObjectSize : Math.max(b.minObjectSize, Math.min(b.width, b.height) / 2.0);
    this.minVisibleArea = b.minVisibleArea;
  }

  /** A builder with the defaults: 320×240, 3 to 10 objects, sizes 8 px to half the shorter side. */
  public static Builder builder() {
    return new Builder();
  }

  /** Image width in pixels. */
  public int width() {
    return width;
  }

  /** Image height in pixels. */
  public int height() {
    return height;
  }

  /** The scene for {@code seed}. */
  public Scene generate(long seed) {
    return render(seed, false).scene();
  }

  /**
   * What the generator drew, for tests: the shapes in drawing order, the index of each shape's
   * object in the scene (−1 when dropped) and, when asked for, the lit background alone.
   */
  record Rendering(Scene scene, List<Shape> shapes, int[] objectIndex, float[] litBackground) {}

  Rendering render(long seed, boolean withBackground) {
    SeededRandom rng = new SeededRandom(SeededRandom.mix64(seed ^ 0x5CE9E5L));
    int n = width * height;
    float[] background = Backgrounds.render(width, height, rng);
    float[] pixels = background.clone();
    int[] label = new int[n];
    java.util.Arrays.fill(label, -1);

    int count = minObjects + rng.nextInt(maxObjects - minObjects + 1);
    int[] categories = new int[count];
    List<Shape> shapes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Shape shape = Shape.random(rng, width, height, minObjectSize, maxObjectSize);
      shapes.add(shape);
      categories[i] = shape.categoryId();
      Paint paint = Paint.random(rng, shape.cx(), shape.cy(), shape.extent());
      final int index = i;
      shape.rasterise(width, height, (x, y) -> {
        int p = y * width + x;
        label[p] = index;
        paint.fill(x + 0.5, y + 0.5, pixels, p * 3);
      });
    }

    int[] visible = new int[count];
    for (int p = 0; p < n; p++) {
      if (label[p] >= 0) {
        visible[label[p]]++;
      }
    }
    for (int p = 0; p < n; p++) {
      int l = label[p];
      if (l >= 0 && visible[l] < minVisibleArea) {
        label[p] = -1;
        pixels[p * 3] = background[p * 3];
        pixels[p * 3 + 1] = background[p * 3 + 1];
        pixels[p * 3 + 2] = background[p * 3 + 2];
      }
    }
    Lighting light = Lighting.random(rng, width, height);
    light.apply(width, height, pixels);
    float[] litBackground = null;
    if (withBackground) {
      litBackground = background.clone();
      light.apply(width, height, litBackground);
    }

    List<SceneObject> objects = new ArrayList<>();
    int[] objectIndex = new int[count];
    for (int i = 0; i < count; i++) {
      objectIndex[i] = -1;
      if (visible[i] < minVisibleArea) {
        continue;
      }
      objectIndex[i] = objects.size();
      boolean[] mask = new boolean[n];
      int x0 = width;
      int y0 = height;
      int x1 = -1;
      int y1 = -1;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          if (label[y * width + x] == i) {
            mask[y * width + x] = true;
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
          }
        }
      }
      objects.add(new SceneObject(categories[i], width, height, mask,
          new int[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1}, visible[i]));
    }
    Scene scene = new Scene(seed, new RgbImage(width, height, pixels), objects);
    return new Rendering(scene, List.copyOf(shapes), objectIndex, litBackground);
  }

  /** Builds a {@link SceneGenerator}; every setting is optional. */
  public static final class Builder {
    private int width = 320;
    private int height = 240;
    private int minObjects = 3;
    private int maxObjects = 10;
    private double minObjectSize = 8;
    private double maxObjectSize = 0;
    private int minVisibleArea = 12;

    Builder() {}

    /** Image width in pixels, 1 to 16384; default 320. */
    public Builder optWidth(int width) {
      this.width = width;
      return this;
    }

    /** Image height in pixels, 1 to 16384; default 240. */
    public Builder optHeight(int height) {
      this.height = height;
      return this;
    }

    /** Fewest objects drawn (before occlusion removes some), 0 to 1000; default 3. */
    public Builder optMinObjects(int minObjects) {
      this.minObjects = minObjects;
      return this;
    }

    /** Most objects drawn, at least {@code minObjects}, at most 1000; default 10. */
    public Builder optMaxObjects(int maxObjects) {
      this.maxObjects = maxObjects;
      return this;
    }

    /** Smallest object extent in pixels, at least 2; default 8. */
    public Builder optMinObjectSize(double minObjectSize) {
      this.minObjectSize = minObjectSize;
      return this;
    }

    /** Largest object extent in pixels; default (0) half the shorter image side. */
    public Builder optMaxObjectSize(double maxObjectSize) {
      this.maxObjectSize = maxObjectSize;
      return this;
    }

    /** Objects with fewer visible pixels are dropped, at least 1; default 12. */
    public Builder optMinVisibleArea(int minVisibleArea) {
      this.minVisibleArea = minVisibleArea;
      return this;
    }

    /** Checks the settings. */
    public void validate() {
      check("width", width, 1, 16384);
      check("height", height, 1, 16384);
      check("minObjects", minObjects, 0, 1000);
      check("maxObjects", maxObjects, minObjects, 1000);
      check("minVisibleArea", minVisibleArea, 1, Integer.MAX_VALUE);
      if (!(minObjectSize >= 2)) {
        throw new IllegalArgumentException("minObjectSize must be at least 2, got " + minObjectSize);
      }
      if (maxObjectSize != 0 && !(maxObjectSize >= minObjectSize)) {
        throw new IllegalArgumentException("maxObjectSize must be 0 (half the shorter side) or at least minObjectSize "
            + minObjectSize + ", got " + maxObjectSize);
      }
    }

    /** The generator. */
    public SceneGenerator build() {
      validate();
      return new SceneGenerator(this);
    }

    private static void check(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
      }
    }
  }
}
