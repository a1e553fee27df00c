package dev.lowlight.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.lowlight.api.nn.TorchNames;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inverse of {@link StateDictLoader}: the parameters of an initialised block as a
 * {@link StateDict} under torchvision's names, ready for {@link Safetensors#write}.
 *
 * <pre>
 * Safetensors.write(StateDictExporter.export(model, ""), Path.of("model.safetensors"));
 * </pre>
 */
public final class StateDictExporter {

  private StateDictExporter() {}

  /** Every parameter of {@code block}, named {@code prefix + dotted path}, with no metadata. */
  public static StateDict export(Block block, String prefix) {
    return export(block, prefix, Map.of());
  }

  /** Every parameter of {@code block}, named {@code prefix + dotted path}, with {@code metadata}. */
  public static StateDict export(Block block, String prefix, Map<String, String> metadata) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : TorchNames.parameters(block).entrySet()) {
      Parameter p = e.getValue();
      if (!p.isInitialized()) {
        throw new IllegalStateException("parameter " + prefix + e.getKey() + " is not initialised");
      }
      out.put(prefix + e.getKey(), toTensor(p.getArray(), prefix + e.getKey()));
    }
    return new StateDict(out, metadata);
  }

  /** One array as engine-free tensor data (copied to the host). */
  static TensorData toTensor(NDArray array, String name) {
    long[] shape = array.getShape().getShape();
    return switch (array.getDataType()) {
      case FLOAT32 -> TensorData.ofFloats(DType.FLOAT32, shape, array.toFloatArray());
      case FLOAT16 -> {
        try (NDArray widened = array.toType(ai.djl.ndarray.types.DataType.FLOAT32, true)) {
          yield TensorData.ofFloats(DType.FLOAT16, shape, widened.toFloatArray());
        }
      }
      case FLOAT64 -> {
        double[] d = array.toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          f[i] = (float) d[i];
        }
        yield TensorData.ofFloats(DType.FLOAT64, shape, f);
      }
      case INT64 -> TensorData.ofLongs(DType.INT64, shape, array.toLongArray());
      case INT32 -> {
        int[] v = array.toIntArray();
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
          l[i] = v[i];
        }
        yield TensorData.ofLongs(DType.INT32, shape, l);
      }
      default -> throw new IllegalStateException("parameter " + name + " has unsupported dtype "
          + array.getDataType());
    };
  }
}
