package dev.lowlight.api.onnx;

import ai.onnx.proto.OnnxMl;

/** Element types used by lowlight graphs, with their ONNX {@code TensorProto.DataType} codes. */
public enum OnnxType {
  FLOAT(OnnxMl.TensorProto.DataType.FLOAT_VALUE),
  INT64(OnnxMl.TensorProto.DataType.INT64_VALUE),
  INT32(OnnxMl.TensorProto.DataType.INT32_VALUE),
  BOOL(OnnxMl.TensorProto.DataType.BOOL_VALUE),
  UINT8(OnnxMl.TensorProto.DataType.UINT8_VALUE);

  private final int code;

  OnnxType(int code) {
    this.code = code;
  }

  /** The {@code TensorProto.DataType} value. */
  public int code() {
    return code;
  }
}
