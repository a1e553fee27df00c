package dev.lowlight.runtime.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.runtime.BitMask;
import dev.lowlight.runtime.BoxXyxy;
import dev.lowlight.runtime.ContractModels;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.Instance;
import dev.lowlight.runtime.LowlightPredictor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayTest {

  @TempDir Path dir;

  @Test
  void writesAReadablePngWithTintedMasksAndUntouchedBackground() throws Exception {
    int h = 120;
    int w = 160;
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int grey = 0x808080;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, grey);
      }
    }
    try (LowlightPredictor p = LowlightPredictor.open(ContractModels.dynamic(dir))) {
      Detections d = p.predict(image);
      assertThat(d.size()).isEqualTo(3);
      Path png = dir.resolve("out/sub/overlay.png");
      Overlay.write(image, d, p.info().classNames(), png);
      assertThat(Files.size(png)).isPositive();
      BufferedImage back = ImageIO.read(png.toFile());
      assertThat(back.getWidth()).isEqualTo(w);
      assertThat(back.getHeight()).isEqualTo(h);
      assertThat(image.getRGB(0, 0) & 0xffffff).as("input unchanged").isEqualTo(grey);

      // A pixel in the middle of the constant-mask car is tinted with the car's colour.
      Instance car = d.instances().get(0);
      BoxXyxy b = car.box();
      int cx = Math.round((b.x1() + b.x2()) / 2);
      int cy = Math.round((b.y1() + b.y2()) / 2);
      assertThat(car.fullMask().get(cy, cx)).isTrue();
      int c = Overlay.colour(car.label()).getRGB();
      int expectedR = Math.round(0x80 * (1 - Overlay.MASK_ALPHA) + ((c >> 16) & 0xff) * Overlay.MASK_ALPHA);
      assertThat((back.getRGB(cx, cy) >> 16) & 0xff).isEqualTo(expectedR);

      // Pixels in no mask and far from every box keep the image's value.
      int untouched = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          if (farFromAll(d, x, y)) {
            assertThat(back.getRGB(x, y) & 0xffffff).as("(%d, %d)", x, y).isEqualTo(grey);
            untouched++;
          }
        }
      }
      assertThat(untouched).isGreaterThan(100);
    }
  }

  @Test
  void emptyDetectionsCopyTheImageAndSizeMismatchIsRefused() throws Exception {
    BufferedImage image = new BufferedImage(10, 8, BufferedImage.TYPE_INT_RGB);
    image.setRGB(3, 4, 0x123456);
    Path png = dir.resolve("empty.png");
    Overlay.write(image, new Detections(8, 10, List.of()), null, png);
    assertThat(ImageIO.read(png.toFile()).getRGB(3, 4) & 0xffffff).isEqualTo(0x123456);
    assertThatThrownBy(() -> Overlay.render(image, new Detections(9, 10, List.of()), null))
        .hasMessageContaining("10x9").hasMessageContaining("10x8");
  }

  private static boolean farFromAll(Detections d, int x, int y) {
    for (Instance in : d.instances()) {
      BitMask m = in.fullMask();
      BoxXyxy b = in.box();
      // Labels sit above the box, up to a text line high.
      if (m.get(y, x) || (x > b.x1() - 4 && x < b.x2() + 60 && y > b.y1() - 20 && y < b.y2() + 4)) {
        return false;
      }
    }
    return true;
  }
}
