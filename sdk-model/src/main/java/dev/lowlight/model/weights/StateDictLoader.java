package dev.lowlight.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.model.weights.LoadReport.ShapeMismatch;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a {@link StateDict} into the parameters of an initialised DJL block, matching names as
 * {@link TorchNames#parameters(Block)} gives them (torchvision's {@code state_dict} keys).
 *
 * <p>{@code prefix} selects the part of the state dict that belongs to {@code block}: the
 * parameter {@code layer1.0.conv1.weight} of a backbone body takes the entry
 * {@code backbone.body.layer1.0.conv1.weight} with prefix {@code "backbone.body."}; entries
 * outside the prefix are ignored. Strict loading checks everything first and copies nothing if
 * any key is missing, unexpected or of another shape; non-strict loading copies what matches and
 * reports the rest. Unlike PyTorch, a shape mismatch is also only reported in non-strict mode,
 * so a head with another number of classes can be skipped while the rest loads.
 *
 * <pre>
 * body.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
 * LoadReport r = StateDictLoader.load(body, TorchCheckpointReader.read(resnet50), "", false);
 * // r.unexpectedKeys() == [fc.weight, fc.bias]
 * </pre>
 */
public final class StateDictLoader {

  private static final Logger LOG = LoggerFactory.getLogger(StateDictLoader.class);

  private StateDictLoader() {}

  /**
   * Loads {@code sd} into {@code block}.
   *
   * @param block an initialised block (every parameter has its array)
   * @param sd the tensors
   * @param prefix prepended to each parameter name to find its entry; {@code ""} for none
   * @param strict whether any mismatch is an error
   * @return what did not match (always clean when {@code strict})
   * @throws StateDictMismatchException in strict mode, when anything does not match
   * @throws IllegalStateException if a parameter is not initialised or has an unsupported dtype
   */
  public static LoadReport load(Block block, StateDict sd, String prefix, boolean strict) {
    Map<String, Parameter> params = TorchNames.parameters(block);
    List<String> missing = new ArrayList<>();
    List<ShapeMismatch> mismatches = new ArrayList<>();
    Map<Parameter, TensorData> toCopy = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      String key = prefix + e.getKey();
      Parameter p = e.getValue();
      if (!p.isInitialized()) {
        throw new IllegalStateException("parameter " + key + " is not initialised; call"
            + " block.initialize(...) before loading weights");
      }
      TensorData t = sd.get(key);
      if (t == null) {
        missing.add(key);
        continue;
      }
      long[] blockShape = p.getArray().getShape().getShape();
      if (!Arrays.equals(blockShape, t.shape())) {
        mismatches.add(new ShapeMismatch(key, blockShape, t.shape()));
        continue;
      }
      toCopy.put(p, t);
    }
    List<String> unexpected = new ArrayList<>();
    for (String name : sd.names()) {
      if (name.startsWith(prefix) && !params.containsKey(name.substring(prefix.length()))) {
        unexpected.add(name);
      }
    }
    LoadReport report = new LoadReport(missing, unexpected, mismatches);
    if (strict && !report.isClean()) {
      throw new StateDictMismatchException(block.getClass().getSimpleName(), report);
    }
    toCopy.forEach((p, t) -> copy(p.getArray(), t));
    if (!report.isClean()) {
      LOG.debug("loaded {} of {} parameters; {}", toCopy.size(), params.size(),
          report.describe().replace('\n', ' '));
    }
    return report;
  }

  /** Copies one tensor into an array of the same shape, converting to the array's dtype. */
  static void copy(NDArray array, TensorData t) {
    DataType type = array.getDataType();
    switch (type) {
      case FLOAT32 -> array.set(FloatBuffer.wrap(t.toFloatArray()));
      case FLOAT64 -> {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          d[i] = f[i];
        }
        array.set(DoubleBuffer.wrap(d));
      }
      case INT64 -> array.set(LongBuffer.wrap(integers(t, array)));
      case INT32 -> {
        long[] l = integers(t, array);
        int[] v = new int[l.length];
        for (int i = 0; i < l.length; i++) {
          v[i] = Math.toIntExact(l[i]);
        }
        array.set(IntBuffer.wrap(v));
      }
      default -> throw new IllegalStateException("parameter " + array.getName() + " has dtype "
          + type + "; only float32, float64, int64 and int32 parameters can be loaded");
    }
  }

  private static long[] integers(TensorData t, NDArray array) {
    if (t.isFloatingPoint()) {
      throw new IllegalStateException("cannot load a " + t.dtype() + " tensor into the integer"
          + " parameter " + array.getName());
    }
    return t.longs();
  }
}
