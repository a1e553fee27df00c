package dev.lowlight.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.structures.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

  @TempDir
  Path dir;

  private static RgbImage levels(int w, int h, long seed) {
    Random r = new Random(seed);
    float[] px = new float[w * h * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) (r.nextInt(256) / 255.0);
    }
    return new RgbImage(w, h, px);
  }

  private static RgbImage smooth(int w, int h) {
    float[] px = new float[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * 3;
        px[o] = Math.round(255.0 * x / w) / 255f;
        px[o + 1] = Math.round(255.0 * y / h) / 255f;
        px[o + 2] = 0.5f;
      }
    }
    return new RgbImage(w, h, px);
  }

  @Test
  void bytesDecodeAndEncodeAsTheFilesDo() throws IOException {
    RgbImage img = levels(9, 7, 3);
    for (String name : List.of("a.png", "a.jpg")) {
      Path f = dir.resolve(name);
      ImageFiles.write(img, f);
      byte[] bytes = Files.readAllBytes(f);
      assertThat(ImageFiles.encode(img, name)).isEqualTo(bytes);
      assertThat(ImageFiles.decode(bytes, "hdfs://nn/" + name).pixels()).isEqualTo(ImageFiles.read(f).pixels());
    }
    assertThatThrownBy(() -> ImageFiles.decode(new byte[0], "hdfs://nn/empty.png")).isInstanceOf(ImageReadException.class)
        .hasMessage("cannot read image hdfs://nn/empty.png: the file is empty")
        .satisfies(e -> assertThat(((ImageReadException) e).source()).isEqualTo("hdfs://nn/empty.png"));
    assertThatThrownBy(() -> ImageIoCodec.INSTANCE.decode(new byte[] {1, 2, 3}, "x.png"))
        .isInstanceOf(ImageReadException.class).hasMessageStartingWith("cannot read image x.png: not an image");
  }

  @Test
  void pngRoundTripIsLossless() {
    for (int[] size : new int[][] {{1, 1}, {7, 5}, {64, 33}}) {
      RgbImage img = levels(size[0], size[1], size[0]);
      Path f = dir.resolve("a" + size[0] + ".png");
      ImageFiles.write(img, f);
      RgbImage back = ImageFiles.read(f);
      assertThat(back.width()).isEqualTo(size[0]);
      assertThat(back.height()).isEqualTo(size[1]);
      assertThat(Arrays.equals(back.pixels(), img.pixels())).isTrue();
    }
  }

  @Test
  void writeClampsAndRounds() {
    RgbImage img = new RgbImage(2, 1, new float[] {-0.5f, 2f, 0.5f, Float.NaN, 0.2f, 1f});
    Path f = dir.resolve("clamp.png");
    ImageFiles.write(img, f);
    float[] back = ImageFiles.read(f).pixels();
    assertThat(back).containsExactly(0f, 1f, 128 / 255f, 0f, 51 / 255f, 1f);
  }

  @Test
  void jpegIsCloseAndQualityMatters() throws IOException {
    RgbImage img = smooth(96, 64);
    Path hi = dir.resolve("hi.jpg");
    Path lo = dir.resolve("lo.jpeg");
    ImageFiles.write(img, hi, 0.95f);
    ImageFiles.write(img, lo, 0.2f);
    RgbImage back = ImageFiles.read(hi);
    double err = 0;
    for (int i = 0; i < img.pixels().length; i++) {
      err += Math.abs(back.pixels()[i] - img.pixels()[i]);
    }
    assertThat(err / img.pixels().length).isLessThan(0.01);
    assertThat(Files.size(lo)).isLessThan(Files.size(hi));
    assertThatThrownBy(() -> ImageFiles.write(img, dir.resolve("q.jpg"), 1.5f)).hasMessageContaining("jpegQuality");
  }

  @Test
  void writesAreAtomicAndLeaveNoTemporaryFiles() throws IOException {
    Path f = dir.resolve("sub/dir/out.png");
    ImageFiles.write(levels(8, 8, 1), f);
    ImageFiles.write(levels(8, 8, 2), f); // replaces
    assertThat(Arrays.equals(ImageFiles.read(f).pixels(), levels(8, 8, 2).pixels())).isTrue();
    try (Stream<Path> files = Files.list(f.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("out.png");
    }
    // The image gets the permissions of any new file, not the owner-only ones of a temp file.
    Path reference = dir.resolve("reference.txt");
    Files.writeString(reference, "x");
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      assertThat(Files.getPosixFilePermissions(f)).isEqualTo(Files.getPosixFilePermissions(reference));
    }
  }

  @Test
  void failedWriteLeavesNoTemporaryFileAndNamesTheFile() throws IOException {
    Path blocker = dir.resolve("blocker");
    Files.writeString(blocker, "x");
    // The parent "directory" is a file, so the write must fail.
    Path f = blocker.resolve("out.png");
    assertThatThrownBy(() -> ImageFiles.write(levels(2, 2, 1), f)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("out.png");
    assertThatThrownBy(() -> ImageFiles.write(levels(2, 2, 1), dir.resolve("x.tiff")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.tiff");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("blocker");
    }
  }

  @Test
  void unreadableFilesGiveAnExceptionNamingTheFile() throws IOException {
    Path missing = dir.resolve("missing.png");
    Path empty = dir.resolve("empty.png");
    Files.write(empty, new byte[0]);
    Path text = dir.resolve("text.jpg");
    Files.writeString(text, "this is not an image");
    Path garbage = dir.resolve("garbage.png");
    byte[] g = new byte[500];
    new Random(1).nextBytes(g);
    Files.write(garbage, g);
    Path good = dir.resolve("good.png");
    ImageFiles.write(levels(40, 30, 3), good);
    byte[] full = Files.readAllBytes(good);
    Path truncated = dir.resolve("truncated.png");
    Files.write(truncated, Arrays.copyOf(full, full.length / 2));
    Path goodJpeg = dir.resolve("good.jpg");
    ImageFiles.write(smooth(64, 64), goodJpeg);
    byte[] jpeg = Files.readAllBytes(goodJpeg);
    Path headerOnly = dir.resolve("header.jpg");
    Files.write(headerOnly, Arrays.copyOf(jpeg, 20));

    for (Path p : List.of(missing, empty, text, garbage, truncated, headerOnly)) {
      assertThatThrownBy(() -> ImageFiles.read(p)).as(p.toString())
          .isInstanceOf(ImageReadException.class)
          .hasMessageContaining(p.getFileName().toString())
          .satisfies(e -> assertThat(((ImageReadException) e).file()).isEqualTo(p));
      assertThat(ImageFiles.isValid(p)).isFalse();
    }
    assertThat(ImageFiles.isValid(good)).isTrue();
    assertThatThrownBy(() -> ImageFiles.read(empty)).hasMessageContaining("empty");
    assertThatThrownBy(() -> ImageFiles.read(missing)).hasMessageContaining("no such file");
  }

  @Test
  void greyImagesAreReadWithoutBrightening() throws IOException {
    BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(1, 1, 0, 128);
    Path f = dir.resolve("grey.png");
    ImageIO.write(grey, "png", f.toFile());
    RgbImage img = ImageFiles.read(f);
    assertThat(img.get(1, 1, 0)).isEqualTo(128 / 255f);
    assertThat(img.get(1, 1, 2)).isEqualTo(128 / 255f);
    assertThat(img.get(0, 0, 1)).isZero();
  }

  @Test
  void pairGridPlacesCleanLeftAndDarkRight() throws IOException {
    RgbImage a = levels(10, 6, 1);
    RgbImage b = levels(10, 6, 2);
    RgbImage c = levels(8, 4, 3);
    RgbImage d = levels(8, 4, 4);
    Path png = dir.resolve("pairs.png");
    PairGrid.write(List.of(a, c), List.of(b, d), png);
    RgbImage grid = ImageFiles.read(png);
    assertThat(grid.width()).isEqualTo(2 * 10 + 3 * 6);
    assertThat(grid.height()).isEqualTo(2 * 6 + 3 * 6);
    assertThat(grid.get(6 + 2, 6 + 3, 1)).isEqualTo(a.get(2, 3, 1));
    assertThat(grid.get(6 + 2, 2 * 6 + 10 + 3, 1)).isEqualTo(b.get(2, 3, 1));
    assertThat(grid.get(2 * 6 + 6 + 1, 2 * 6 + 10 + 7, 0)).isEqualTo(d.get(1, 7, 0));
    assertThatThrownBy(() -> PairGrid.render(List.of(a), List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
