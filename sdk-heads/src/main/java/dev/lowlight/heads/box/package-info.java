/**
 * The box branch: {@link dev.lowlight.heads.box.TwoMlpBoxHead} (plugin {@code two-mlp}, head plus
 * predictor) and {@link dev.lowlight.heads.box.BoxPostProcessor}, torchvision's {@code
 * postprocess_detections}.
 */
package dev.lowlight.heads.box;
