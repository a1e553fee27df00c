package dev.lowlight.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BayerAndMatricesTest {

  @Test
  void rggbLayout() {
    assertThat(Bayer.channel(0, 0)).isZero();
    assertThat(Bayer.channel(0, 1)).isEqualTo(1);
    assertThat(Bayer.channel(1, 0)).isEqualTo(1);
    assertThat(Bayer.channel(1, 1)).isEqualTo(2);
  }

  @Test
  void demosaicOfConstantColourIsExactEverywhere() {
    int w = 7;
    int h = 5;
    float[] rgb = new float[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      rgb[i * 3] = 0.2f;
      rgb[i * 3 + 1] = 0.5f;
      rgb[i * 3 + 2] = 0.9f;
    }
    float[] back = Bayer.demosaic(Bayer.mosaic(rgb, w, h), w, h);
    for (int i = 0; i < rgb.length; i++) {
      assertThat(back[i]).isCloseTo(rgb[i], within(1e-6f));
    }
  }

  @Test
  void demosaicOfRampIsExactInTheInterior() {
    int w = 12;
    int h = 10;
    float[] rgb = new float[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          rgb[(y * w + x) * 3 + c] = 0.01f * x + 0.02f * y + 0.1f * c;
        }
      }
    }
    float[] back = Bayer.demosaic(Bayer.mosaic(rgb, w, h), w, h);
    for (int y = 1; y < h - 1; y++) {
      for (int x = 1; x < w - 1; x++) {
        for (int c = 0; c < 3; c++) {
          int i = (y * w + x) * 3 + c;
          assertThat(back[i]).isCloseTo(rgb[i], within(1e-5f));
        }
      }
    }
  }

  @Test
  void cameraMatricesKeepWhiteAndInvert() {
    for (int k = 0; k < CameraMatrices.XYZ_TO_CAMERA.size(); k++) {
      double[] m = CameraMatrices.srgbToCamera(k);
      for (int i = 0; i < 3; i++) {
        assertThat(m[i * 3] + m[i * 3 + 1] + m[i * 3 + 2]).isCloseTo(1.0, within(1e-12));
      }
      double[] id = CameraMatrices.multiply(m, CameraMatrices.invert(m));
      for (int i = 0; i < 9; i++) {
        assertThat(id[i]).isCloseTo(i % 4 == 0 ? 1.0 : 0.0, within(1e-9));
      }
    }
    double[] mix = CameraMatrices.srgbToCameraMix(new double[] {1, 0, 0, 0});
    assertThat(mix).containsExactly(CameraMatrices.srgbToCamera(0), within(1e-12));
  }

  @Test
  void maetNormalisationScalesColumnsAndBrooksKeepsWhite() {
    double[][] white = {{0.8859, 1.1510, 0.9884}, {0.6893, 1.1333, 0.9461}, {0.8249, 1.2824, 0.9312},
        {0.7901, 1.2768, 0.9145}};
    for (int k = 0; k < CameraMatrices.XYZ_TO_CAMERA.size(); k++) {
      double[] maet = CameraMatrices.srgbToCamera(k, CameraMatrices.Normalisation.COLUMNS);
      double[] rows = CameraMatrices.srgbToCamera(k, CameraMatrices.Normalisation.ROWS);
      for (int i = 0; i < 3; i++) {
        assertThat(maet[i * 3] + maet[i * 3 + 1] + maet[i * 3 + 2]).as("camera %d, MAET, white → row %d", k, i)
            .isCloseTo(white[k][i], within(1e-4));
        assertThat(rows[i * 3] + rows[i * 3 + 1] + rows[i * 3 + 2]).as("camera %d, rows", k).isCloseTo(1.0, within(1e-12));
      }
      assertThat(rows).containsExactly(CameraMatrices.srgbToCamera(k), within(0.0));
    }
    assertThat(MaetOptions.paper().normalisation()).isEqualTo(CameraMatrices.Normalisation.COLUMNS);
    assertThat(MaetOptions.release().normalisation()).isEqualTo(CameraMatrices.Normalisation.COLUMNS);
  }

  @Test
  void lisCalibratedMatrixKeepsGreyGrey() {
    double[] rgb2cam = CameraMatrices.invert(CameraMatrices.LIS_CAMERA_TO_SRGB);
    for (int i = 0; i < 3; i++) {
      assertThat(rgb2cam[i * 3] + rgb2cam[i * 3 + 1] + rgb2cam[i * 3 + 2]).isCloseTo(1.0, within(1e-6));
    }
  }
}
