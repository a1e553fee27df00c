package dev.lowlight.api.config;

import java.util.List;
import java.util.Map;

/**
 * The whole model and training configuration, one file in JSON or YAML. Keys are {@code
 * snake_case}; every default equals torchvision's {@code maskrcnn_resnet50_fpn} (see {@link
 * #defaults()}), so a file only states what differs.
 *
 * <pre>{@code
 * num_classes: 6
 * denoise:
 *   name: weighted-non-local
 *   stages: [res3, res4, res5]
 * }</pre>
 *
 * @param numClasses classes including background
 * @param classNames names of classes 1..numClasses-1 (index 0 is background), or empty
 * @param backbone the backbone plugin ({@code resnet50} by default)
 * @param denoise the denoiser inserted in the backbone ({@code none} by default)
 * @param neck the neck plugin ({@code fpn} by default)
 * @param transform resize and normalisation
 * @param rpn the region proposal network
 * @param roiHeads the box and mask branches
 * @param solver training settings
 */
public record ModelConfig(int numClasses, List<String> classNames, PluginRef backbone, DenoiseConfig denoise,
    PluginRef neck, TransformConfig transform, RpnConfig rpn, RoiHeadsConfig roiHeads, SolverConfig solver) {

  public ModelConfig {
    Check.range("num_classes", numClasses, 2, 100_000);
    classNames = classNames == null ? List.of() : List.copyOf(classNames);
    if (!classNames.isEmpty() && classNames.size() != numClasses - 1) {
      throw new Check.InvalidValueException("class_names", "must name the " + (numClasses - 1)
          + " non-background classes (num_classes - 1), got " + classNames.size());
    }
    Check.required("backbone", backbone);
    Check.required("denoise", denoise);
    Check.required("neck", neck);
    Check.required("transform", transform);
    Check.required("rpn", rpn);
    Check.required("roi_heads", roiHeads);
    Check.required("solver", solver);
  }

  /** torchvision's {@code maskrcnn_resnet50_fpn} on COCO (91 classes), no denoiser. */
  public static ModelConfig defaults() {
    return new ModelConfig(91, List.of(),
        new PluginRef("resnet50", Map.of()),
        new DenoiseConfig(DenoiseConfig.NONE, List.of("res3", "res4", "res5"), Map.of()),
        new PluginRef("fpn", Map.of()),
        new TransformConfig(800, 1333, List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225), 32),
        new RpnConfig(new PluginRef("rpn", Map.of()),
            List.of(List.of(32), List.of(64), List.of(128), List.of(256), List.of(512)), List.of(0.5, 1.0, 2.0),
            2000, 1000, 2000, 1000, 0.7, 0.7, 0.3, 256, 0.5, 0.0),
        new RoiHeadsConfig(new PluginRef("two-mlp", Map.of()), new PluginRef("mask-rcnn-conv", Map.of()),
            7, 14, 2, 0.05, 0.5, 100, 0.5, 0.5, 512, 0.25, List.of(10.0, 10.0, 5.0, 5.0)),
        new SolverConfig("sgd", 0.02, 0.9, 1e-4, "multistep", null, 0.1, 1000, 0.001,
            90_000, 2, 0.0, 1, "all"));
  }
}
