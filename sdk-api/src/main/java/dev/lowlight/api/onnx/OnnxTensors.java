package dev.lowlight.api.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Conversions from DJL arrays and Java arrays to ONNX {@code TensorProto}s (little-endian raw data). */
public final class OnnxTensors {

  private OnnxTensors() {}

  /** A tensor holding a copy of {@code array}; float32, int64 and int32 are supported. */
  public static OnnxMl.TensorProto fromNDArray(String name, NDArray array) {
    long[] dims = array.getShape().getShape();
    DataType type = array.getDataType();
    if (type == DataType.FLOAT32) {
      return floats(name, array.toFloatArray(), dims);
    } else if (type == DataType.INT64) {
      return longs(name, array.toLongArray(), dims);
    } else if (type == DataType.INT32) {
      int[] v = array.toIntArray();
      ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int x : v) {
        b.putInt(x);
      }
      return raw(name, OnnxType.INT32, b, dims);
    }
    throw new IllegalArgumentException("cannot store " + type + " array '" + name + "' in ONNX; use float32, int64 or int32");
  }

  /** A float tensor. */
  public static OnnxMl.TensorProto floats(String name, float[] values, long... dims) {
    checkSize(name, values.length, dims);
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return raw(name, OnnxType.FLOAT, b, dims);
  }

  /** An int64 tensor. */
  public static OnnxMl.TensorProto longs(String name, long[] values, long... dims) {
    checkSize(name, values.length, dims);
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return raw(name, OnnxType.INT64, b, dims);
  }

  private static OnnxMl.TensorProto raw(String name, OnnxType type, ByteBuffer data, long[] dims) {
    data.flip();
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type.code())
        .setRawData(ByteString.copyFrom(data));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  private static void checkSize(String name, int length, long[] dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    if (n != length) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + length + " values but its dims "
          + java.util.Arrays.toString(dims) + " need " + n);
    }
  }
}
