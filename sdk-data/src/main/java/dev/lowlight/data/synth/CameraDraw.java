package dev.lowlight.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The camera an image is unprocessed with, as drawn for it: one of {@link
 * CameraMatrices#XYZ_TO_CAMERA} ({@code choice}), a random convex combination of them ({@code
 * mix}), or nothing drawn (a preset's fixed matrix).
 *
 * @param camera the chosen camera, or -1
 * @param weights the mixing weights, or null
 */
record CameraDraw(int camera, double[] weights) {

  /**
   * Draws for {@code mode}: {@code choice} takes one camera uniformly, {@code mix} one weight in
   * [1e-8, 1) per camera (Brooks et al.'s {@code random_ccm}); any other mode draws nothing.
   */
  static CameraDraw draw(SeededRandom rng, String mode) {
    if (mode.equals("choice")) {
      return new CameraDraw(rng.nextInt(CameraMatrices.XYZ_TO_CAMERA.size()), null);
    }
    if (mode.equals("mix")) {
      double[] w = new double[CameraMatrices.XYZ_TO_CAMERA.size()];
      for (int i = 0; i < w.length; i++) {
        w[i] = rng.uniform(1e-8, 1.0);
      }
      return new CameraDraw(-1, w);
    }
    return new CameraDraw(-1, null);
  }

  /** Whether a camera or a mix was drawn. */
  boolean drawn() {
    return camera >= 0 || weights != null;
  }

  /** The sRGB → camera matrix of the drawn camera or mix, normalised as {@code n} says. */
  double[] srgbToCamera(CameraMatrices.Normalisation n) {
    if (camera >= 0) {
      return CameraMatrices.srgbToCamera(camera, n);
    }
    if (weights != null) {
      return CameraMatrices.srgbToCameraMix(weights, n);
    }
    throw new IllegalStateException("no camera was drawn");
  }

  /** Records the draw in an image's parameters: {@code camera} or {@code camera_weights}. */
  void record(Map<String, Object> parameters) {
    if (camera >= 0) {
      parameters.put("camera", camera);
    } else if (weights != null) {
      List<Double> list = new ArrayList<>();
      for (double v : weights) {
        list.add(v);
      }
      parameters.put("camera_weights", list);
    }
  }
}
