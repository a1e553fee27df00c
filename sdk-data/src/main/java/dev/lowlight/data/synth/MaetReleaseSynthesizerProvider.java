package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.spi.SynthesizerProvider;

/**
 * The {@code maet-release} preset: the pipeline of {@link MaetSynthesizerProvider} (Cui et al.,
 * ICCV 2021) with the ranges of the {@code Dark_ISP} pipeline class in the authors' released code
 * ({@code mmdet/datasets/pipelines/dark_transforms.py}), which differ from the paper ({@link
 * MaetOptions#release()}): no inverse tone curve, darkening d ~ U(0.01, 0.4), and quantisation by
 * rounding to multiples of q/255 with q ∈ {4, 6, 8} after the noise and before processing back.
 * No released config uses {@code Dark_ISP}: the released COCO config ({@code
 * configs/MAET_yolo/maet_yolo_coco_ort.py}) trains with {@code Low_Illumination_Degrading}, whose
 * ranges are the paper's, the {@code maet} preset. Other ranges as in the paper: γ ~ U(2.0, 3.5),
 * g ~ N(0.8, 0.1), r ~ U(1.9, 2.4), b ~ U(1.5, 1.9), log(shot) ~ U(log 1e-4, log 0.012),
 * log(read) = 2.18·log(shot) + 1.20 + N(0, 0.26); the camera matrix normalised as the code does
 * ({@code matrix_normalisation: columns}).
 */
public final class MaetReleaseSynthesizerProvider implements SynthesizerProvider<MaetOptions> {

  /** The plugin name. */
  public static final String NAME = "maet-release";

  private static final PluginInfo INFO = PluginInfo.of(NAME, SynthVersion.VERSION, SpiVersion.MAJOR, SpiVersion.MINOR,
      "The MAET pipeline with the ranges of its code's Dark_ISP class (used by no released config): no tone curve,"
          + " d ~ U(0.01, 0.4), rounding to q/255");

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<MaetOptions> optionsType() {
    return MaetOptions.class;
  }

  @Override
  public MaetOptions defaultOptions() {
    return MaetOptions.release();
  }

  @Override
  public LowLightSynthesizer create(MaetOptions options) {
    return new MaetSynthesizer(NAME, options);
  }
}
