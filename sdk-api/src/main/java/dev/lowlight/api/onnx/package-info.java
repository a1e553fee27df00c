/**
 * A small typed builder for ONNX graphs (opset 17, IR 8) and the {@link
 * dev.lowlight.api.onnx.OnnxLowerable} contract through which blocks write themselves into one.
 * The protobuf classes are the generated {@code ai.onnx.proto.OnnxMl} from {@code
 * org.tribuo:tribuo-util-onnx}.
 */
package dev.lowlight.api.onnx;
