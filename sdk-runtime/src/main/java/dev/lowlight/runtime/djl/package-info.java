/** DJL integration: a {@code Translator} that runs exported lowlight models on DJL's ONNX Runtime engine. */
package dev.lowlight.runtime.djl;
