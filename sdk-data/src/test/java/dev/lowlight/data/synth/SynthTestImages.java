package dev.lowlight.data.synth;

import dev.lowlight.api.structures.RgbImage;
import java.util.Arrays;

/** Test inputs. */
final class SynthTestImages {

  private SynthTestImages() {}

  static RgbImage flat(int w, int h, float v) {
    float[] px = new float[w * h * 3];
    Arrays.fill(px, v);
    return new RgbImage(w, h, px);
  }

  static RgbImage natural(int w, int h, long seed) {
    return SyntheticPhotos.natural(w, h, seed);
  }

  static boolean allLevels(RgbImage img) {
    for (float v : img.pixels()) {
      if (!(v >= 0 && v <= 1) || v != (float) (Math.round(v * 255.0) / 255.0)) {
        return false;
      }
    }
    return true;
  }
}
