package dev.lowlight.model.weights;

import java.util.Locale;
import java.util.Map;

/**
 * Refuses weights that are NaN or infinite: a checkpoint of a diverged run loads, exports and
 * predicts without a word otherwise, and every prediction is then empty or garbage.
 *
 * <pre>{@code
 * NonFiniteWeights.check(TorchCheckpointReader.read(file), file.toString());
 * }</pre>
 */
public final class NonFiniteWeights {

  private NonFiniteWeights() {}

  /**
   * @param source named in the message (the file)
   * @throws WeightsException naming the first tensor with a NaN or an infinity, and how many it has
   */
  public static void check(StateDict sd, String source) throws WeightsException {
    String problem = problem(sd);
    if (problem != null) {
      throw new WeightsException(source + ": " + problem);
    }
  }

  /** The first tensor with a NaN or an infinity, described; null when every value is finite. */
  public static String problem(StateDict sd) {
    for (Map.Entry<String, TensorData> e : sd.tensors().entrySet()) {
      float[] v = e.getValue().floats();
      if (v == null) {
        continue;
      }
      int nan = 0;
      int inf = 0;
      for (float x : v) {
        if (Float.isNaN(x)) {
          nan++;
        } else if (Float.isInfinite(x)) {
          inf++;
        }
      }
      if (nan + inf > 0) {
        return String.format(Locale.ROOT, "tensor %s has %d NaN and %d infinite values of %d (the run it comes"
            + " from diverged?); --allow-non-finite loads it anyway", e.getKey(), nan, inf, v.length);
      }
    }
    return null;
  }
}
