/**
 * Exported lowlight models on DJL: {@link dev.lowlight.djl.LowlightTranslator} turns an image into
 * the model's input and its outputs into {@code DetectedObjects} with masks, and {@link
 * dev.lowlight.djl.LowlightTranslatorFactory} builds it from the model's metadata (class names,
 * fixed input size), which {@code lowlight export} points DJL to with a {@code serving.properties}
 * next to the model. Runs on DJL's ONNX Runtime engine; never the PyTorch engine.
 */
package dev.lowlight.djl;
