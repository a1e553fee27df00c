/**
 * Deployment of exported lowlight models with ONNX Runtime (CUDA execution provider or CPU), with
 * no DJL engine: {@link dev.lowlight.runtime.LowlightPredictor} opens a {@code model.onnx} and
 * returns {@link dev.lowlight.runtime.Detections} with boxes, classes, scores and pasted masks.
 */
package dev.lowlight.runtime;
