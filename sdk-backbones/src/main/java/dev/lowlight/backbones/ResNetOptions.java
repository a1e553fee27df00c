package dev.lowlight.backbones;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.Option;
import java.util.List;

/**
 * Options of the {@code resnet18} .. {@code resnet101} backbones.
 *
 * @param trainableLayers how many of layer4, layer3, layer2, layer1, conv1 train
 * @param norm {@code frozen} or {@code batch}
 */
public record ResNetOptions(
    @Option("how many of layer4, layer3, layer2, layer1, conv1 (+bn1) train, in [0, 5], as torchvision's "
        + "trainable_layers; default 3") int trainableLayers,
    @Option("batch norm: 'frozen' (fixed statistics and affine, for fine-tuning pretrained weights; default) or "
        + "'batch' (trainable, for training from scratch)") String norm) {

  /** torchvision's defaults for Mask R-CNN: 3 trainable layers, frozen batch norm. */
  public static final ResNetOptions DEFAULTS = new ResNetOptions(3, "frozen");

  public ResNetOptions {
    Check.range("trainable_layers", trainableLayers, 0, 5);
    Check.oneOf("norm", Check.required("norm", norm), List.of("frozen", "batch"));
  }
}
