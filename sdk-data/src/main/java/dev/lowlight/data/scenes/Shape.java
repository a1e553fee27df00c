package dev.lowlight.data.scenes;

import dev.lowlight.data.synth.SeededRandom;

/**
 * A shape of one of the {@link SceneGenerator#CATEGORIES}, placed and rotated, with an exact
 * inside test on pixel centres.
 */
abstract class Shape {

  /** Receives the pixels a shape covers. */
  interface PixelSink {
    void accept(int x, int y);
  }

  final double cx;
  final double cy;
  final double radius; // bounding radius around the centre
  final double cos;
  final double sin;

  Shape(double cx, double cy, double radius, double angle) {
    this.cx = cx;
    this.cy = cy;
    this.radius = radius;
    this.cos = StrictMath.cos(angle);
    this.sin = StrictMath.sin(angle);
  }

  abstract int categoryId();

  /** Whether the point {@code (u, v)}, relative to the centre and unrotated, is inside. */
  abstract boolean insideLocal(double u, double v);

  double cx() {
    return cx;
  }

  double cy() {
    return cy;
  }

  double extent() {
    return 2 * radius;
  }

  /** Calls {@code sink} for every pixel whose centre lies inside, within the image. */
  void rasterise(int width, int height, PixelSink sink) {
    int x0 = Math.max(0, (int) StrictMath.floor(cx - radius - 1));
    int x1 = Math.min(width - 1, (int) StrictMath.ceil(cx + radius + 1));
    int y0 = Math.max(0, (int) StrictMath.floor(cy - radius - 1));
    int y1 = Math.min(height - 1, (int) StrictMath.ceil(cy + radius + 1));
    for (int y = y0; y <= y1; y++) {
      double dy = y + 0.5 - cy;
      for (int x = x0; x <= x1; x++) {
        double dx = x + 0.5 - cx;
        double u = dx * cos + dy * sin;
        double v = -dx * sin + dy * cos;
        if (insideLocal(u, v)) {
          sink.accept(x, y);
        }
      }
    }
  }

  /** A random shape with a log-uniform size in {@code [minSize, maxSize]}. */
  static Shape random(SeededRandom rng, int width, int height, double minSize, double maxSize) {
    int category = 1 + rng.nextInt(SceneGenerator.CATEGORIES.size());
    double size = minSize >= maxSize ? minSize : rng.logUniform(minSize, maxSize);
    double r = size / 2;
    // Centres may sit slightly outside the frame so that objects are also cut by the border.
    double cx = rng.uniform(-0.05 * width, 1.05 * width);
    double cy = rng.uniform(-0.05 * height, 1.05 * height);
    double angle = rng.uniform(0, 2 * Math.PI);
    switch (category) {
      case 1:
        return new Disc(cx, cy, r);
      case 2:
        // A ring needs room for a hole of at least a few pixels.
        return new Ring(cx, cy, Math.max(r, 5), rng.uniform(0.45, 0.7));
      case 3:
        return new Rectangle(cx, cy, r, r * rng.uniform(0.35, 1.0), angle);
      case 4:
        return new Polygon(4, cx, cy, triangle(rng, r), angle);
      case 5:
        return new Polygon(5, cx, cy, star(rng, Math.max(r, 4)), angle);
      case 6:
        return new Ellipse(cx, cy, r, r * rng.uniform(0.35, 0.7), angle);
      default:
        return new Cross(cx, cy, Math.max(r, 4), rng.uniform(0.2, 0.35), angle);
    }
  }

  private static double[] triangle(SeededRandom rng, double r) {
    double[] xy = new double[6];
    for (int k = 0; k < 3; k++) {
      double a = 2 * Math.PI * k / 3 + rng.uniform(-0.35, 0.35);
      double rr = r * rng.uniform(0.8, 1.0);
      xy[2 * k] = rr * StrictMath.cos(a);
      xy[2 * k + 1] = rr * StrictMath.sin(a);
    }
    return xy;
  }

  private static double[] star(SeededRandom rng, double r) {
    int points = 5 + rng.nextInt(2);
    double inner = r * rng.uniform(0.38, 0.55);
    double[] xy = new double[4 * points];
    for (int k = 0; k < 2 * points; k++) {
      double a = Math.PI * k / points;
      double rr = (k % 2 == 0) ? r : inner;
      xy[2 * k] = rr * StrictMath.cos(a);
      xy[2 * k + 1] = rr * StrictMath.sin(a);
    }
    return xy;
  }

  static final class Disc extends Shape {
    Disc(double cx, double cy, double r) {
      super(cx, cy, r, 0);
    }

    @Override
    int categoryId() {
      return 1;
    }

    @Override
    boolean insideLocal(double u, double v) {
      return u * u + v * v <= radius * radius;
    }
  }

  static final class Ring extends Shape {
    private final double inner;

    Ring(double cx, double cy, double r, double innerFraction) {
      super(cx, cy, r, 0);
      this.inner = r * innerFraction;
    }

    @Override
    int categoryId() {
      return 2;
    }

    @Override
    boolean insideLocal(double u, double v) {
      double d = u * u + v * v;
      return d <= radius * radius && d > inner * inner;
    }
  }

  static final class Rectangle extends Shape {
    private final double a;
    private final double b;

    Rectangle(double cx, double cy, double a, double b, double angle) {
      super(cx, cy, StrictMath.sqrt(a * a + b * b), angle);
      this.a = a;
      this.b = b;
    }

    @Override
    int categoryId() {
      return 3;
    }

    @Override
    boolean insideLocal(double u, double v) {
      return Math.abs(u) <= a && Math.abs(v) <= b;
    }
  }

  static final class Ellipse extends Shape {
    private final double a;
    private final double b;

    Ellipse(double cx, double cy, double a, double b, double angle) {
      super(cx, cy, a, angle);
      this.a = a;
      this.b = b;
    }

    @Override
    int categoryId() {
      return 6;
    }

    @Override
    boolean insideLocal(double u, double v) {
      double p = u / a;
      double q = v / b;
      return p * p + q * q <= 1;
    }
  }

  static final class Cross extends Shape {
    private final double arm;

    Cross(double cx, double cy, double r, double armFraction, double angle) {
      super(cx, cy, r * StrictMath.sqrt(1 + armFraction * armFraction), angle);
      this.arm = r * armFraction;
      this.half = r;
    }

    private final double half;

    @Override
    int categoryId() {
      return 7;
    }

    @Override
    boolean insideLocal(double u, double v) {
      double au = Math.abs(u);
      double av = Math.abs(v);
      return (au <= half && av <= arm) || (au <= arm && av <= half);
    }
  }

  /** A polygon in local coordinates, tested with the even-odd rule (triangles and stars). */
  static final class Polygon extends Shape {
    private final int category;
    private final double[] xy;

    Polygon(int category, double cx, double cy, double[] xy, double angle) {
      super(cx, cy, maxRadius(xy), angle);
      this.category = category;
      this.xy = xy;
    }

    private static double maxRadius(double[] xy) {
      double m = 0;
      for (int i = 0; i < xy.length; i += 2) {
        m = Math.max(m, StrictMath.sqrt(xy[i] * xy[i] + xy[i + 1] * xy[i + 1]));
      }
      return m;
    }

    @Override
    int categoryId() {
      return category;
    }

    @Override
    boolean insideLocal(double u, double v) {
      boolean inside = false;
      int n = xy.length / 2;
      for (int i = 0, j = n - 1; i < n; j = i++) {
        double xi = xy[2 * i];
        double yi = xy[2 * i + 1];
        double xj = xy[2 * j];
        double yj = xy[2 * j + 1];
        if ((yi > v) != (yj > v) && u < (xj - xi) * (v - yi) / (yj - yi) + xi) {
          inside = !inside;
        }
      }
      return inside;
    }
  }
}
