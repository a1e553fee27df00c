/**
 * Export of the whole Mask R-CNN to one ONNX file (opset 17): {@link
 * dev.lowlight.model.export.OnnxExporter} writes the graph from a float image to boxes, labels,
 * scores and 28x28 mask probabilities, with the image transform, anchors, proposal selection, NMS,
 * multi-level RoIAlign and post-processing inside the graph; {@link
 * dev.lowlight.model.export.BatchNormFolding} folds frozen batch norms into the convolutions.
 */
package dev.lowlight.model.export;
