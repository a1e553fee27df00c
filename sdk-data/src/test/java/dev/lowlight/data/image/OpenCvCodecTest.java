package dev.lowlight.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.data.transform.Bilinear;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenCV decodes, resizes and encodes like the ImageIO/torch-arithmetic references. */
class OpenCvCodecTest {

  @TempDir
  Path dir;

  static OpenCvCodec cv;

  @BeforeAll
  static void load() {
    // The build targets linux-x86_64 whose native jar is a dependency: OpenCV must load here.
    cv = OpenCvCodec.load();
  }

  private static RgbImage randomLevels(int w, int h, long seed) {
    Random r = new Random(seed);
    float[] px = new float[w * h * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) (r.nextInt(256) / 255.0);
    }
    return new RgbImage(w, h, px);
  }

  @Test
  void bestPicksOpenCvHere() {
    assertThat(ImageCodecs.best().name()).isEqualTo("opencv");
    assertThat(ImageCodecs.choose("imageio")).isSameAs(ImageIoCodec.INSTANCE);
    assertThatThrownBy(() -> ImageCodecs.choose("magick")).hasMessageContaining("magick")
        .hasMessageContaining("imageio");
  }

  @Test
  void fallsBackToImageIoWithoutOpenCvOnTheClasspath() throws Exception {
    // A platform without the OpenCV jars: a class loader that sees this module, sdk-api and SLF4J
    // but no org.bytedeco classes.
    java.util.List<java.net.URL> urls = new java.util.ArrayList<>();
    for (Class<?> c : new Class<?>[] {ImageCodecs.class, RgbImage.class, org.slf4j.LoggerFactory.class,
        org.slf4j.simple.SimpleLogger.class}) {
      urls.add(c.getProtectionDomain().getCodeSource().getLocation());
    }
    try (java.net.URLClassLoader isolated = new java.net.URLClassLoader(urls.toArray(new java.net.URL[0]),
        ClassLoader.getPlatformClassLoader())) {
      assertThat(isolated.getResource("org/bytedeco/opencv/global/opencv_core.class")).isNull();
      Class<?> codecs = isolated.loadClass(ImageCodecs.class.getName());
      Object best = codecs.getMethod("best").invoke(null);
      assertThat(best.getClass().getName()).isEqualTo(ImageIoCodec.class.getName());
      assertThat(codecs.getMethod("openCvOrNull").invoke(null)).isNull();
    }
  }

  @Test
  void pngDecodesExactlyAsImageIo() throws IOException {
    for (int[] size : new int[][] {{1, 1}, {7, 5}, {640, 480}}) {
      RgbImage img = randomLevels(size[0], size[1], size[0] * 31L + size[1]);
      Path f = dir.resolve("p" + size[0] + ".png");
      ImageFiles.write(img, f);
      RgbImage a = ImageIoCodec.INSTANCE.read(f);
      RgbImage b = cv.read(f);
      assertThat(b.width()).isEqualTo(size[0]);
      assertThat(b.height()).isEqualTo(size[1]);
      assertThat(Arrays.equals(a.pixels(), b.pixels())).isTrue();
    }
  }

  @Test
  void greyPngBecomesRgbLikeImageIo() throws IOException {
    java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(9, 4,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 9; x++) {
        grey.getRaster().setSample(x, y, 0, (x * 29 + y * 7) % 256);
      }
    }
    Path f = dir.resolve("grey.png");
    javax.imageio.ImageIO.write(grey, "png", f.toFile());
    assertThat(Arrays.equals(cv.read(f).pixels(), ImageIoCodec.INSTANCE.read(f).pixels())).isTrue();
  }

  @Test
  void jpegDecodesWithinIdctTolerance() {
    RgbImage scene = SceneGenerator.builder().optWidth(640).optHeight(480).build().generate(7L).image();
    Path f = dir.resolve("scene.jpg");
    ImageFiles.write(scene, f, 0.9f);
    float[] a = ImageIoCodec.INSTANCE.read(f).pixels();
    float[] b = cv.read(f).pixels();
    assertThat(b.length).isEqualTo(a.length);
    double sum = 0;
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b[i]);
      sum += d;
      max = Math.max(max, d);
    }
    assertThat(sum / a.length).isLessThan(1.0 / 255);
    // Different IDCTs and chroma upsampling differ by a few levels at most, never by content.
    assertThat(max).isLessThan(24.0 / 255);
  }

  @Test
  void resizeMatchesTorchBilinear() {
    RgbImage img = randomLevels(37, 23, 3);
    for (int[] out : new int[][] {{50, 80}, {11, 18}, {23, 37}, {46, 74}, {12, 19}}) {
      RgbImage r = cv.resize(img, out[0], out[1]);
      float[] ref = Bilinear.resizeChw(img.toChw(), 3, 23, 37, out[0], out[1]);
      float[] got = r.toChw();
      for (int i = 0; i < ref.length; i++) {
        assertThat(got[i]).as("size %dx%d value %d", out[0], out[1], i).isCloseTo(ref[i],
            org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void encodesPngLosslesslyAndJpegReadably() throws IOException {
    RgbImage img = randomLevels(33, 17, 9);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    cv.encode(img, ImageFormat.PNG, 1f, png);
    assertThat(Arrays.equals(cv.decode(png.toByteArray(), Path.of("x.png")).pixels(), img.pixels())).isTrue();
    assertThat(Arrays.equals(cv.decode(png.toByteArray(), "s3://b/x.png").pixels(), img.pixels())).isTrue();
    assertThatThrownBy(() -> cv.decode(new byte[] {1, 2, 3}, "s3://b/y.png")).isInstanceOf(ImageReadException.class)
        .hasMessageStartingWith("cannot read image s3://b/y.png: not an image in a supported format");
    ByteArrayOutputStream jpg = new ByteArrayOutputStream();
    cv.encode(img, ImageFormat.JPEG, 0.9f, jpg);
    Path f = dir.resolve("cv.jpg");
    Files.write(f, jpg.toByteArray());
    assertThat(ImageIoCodec.INSTANCE.read(f).width()).isEqualTo(33);
  }

  @Test
  void badFilesGiveClearErrors() throws IOException {
    Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
    Path junk = Files.write(dir.resolve("junk.jpg"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThatThrownBy(() -> cv.read(empty)).isInstanceOf(ImageReadException.class)
        .hasMessageContaining("empty.jpg").hasMessageContaining("empty");
    assertThatThrownBy(() -> cv.read(junk)).isInstanceOf(ImageReadException.class)
        .hasMessageContaining("junk.jpg");
    assertThatThrownBy(() -> cv.read(dir.resolve("missing.png"))).isInstanceOf(ImageReadException.class)
        .hasMessageContaining("no such file");
  }
}
