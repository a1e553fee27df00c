package dev.lowlight.denoise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import dev.lowlight.api.nn.Scalars;

/**
 * The attention of a non-local block, computed in chunks of query rows so that the {@code P×K}
 * affinity never exists whole when it would not fit the memory budget.
 *
 * <p>Chunking is exact: the softmax of each query row runs over all keys, and rows are
 * independent, so concatenating the rows of each chunk gives the unchunked result (up to float
 * summation order inside one matrix product). During training the engine's autograd keeps each
 * chunk's softmax for the backward pass, so the budget bounds the transient working set of the
 * forward pass, not the saved activations.
 */
public final class NonLocalAttention {

  /** Bytes per affinity entry held at once: logits, softmax output and one temporary, float32. */
  static final long BYTES_PER_ENTRY = 3L * Float.BYTES;

  private NonLocalAttention() {}

  /**
   * Query rows per chunk for {@code batch} images with {@code keys} key positions within {@code
   * budgetBytes}; at least 1.
   */
  public static long rowsPerChunk(long batch, long keys, long budgetBytes) {
    return Math.max(1, budgetBytes / Math.max(1, batch * keys * BYTES_PER_ENTRY));
  }

  /**
   * {@code y = f(θᵀ φ) g}.
   *
   * @param thetaT queries, {@code N×P×C'}
   * @param phi keys, {@code N×C'×K}
   * @param gT values, {@code N×K×Cg}
   * @param mode the pairwise function
   * @param logitScale factor applied to the logits before the softmax (1 for none)
   * @param budgetBytes working-set budget of the affinity
   * @return {@code N×P×Cg}
   */
  public static NDArray attend(NDArray thetaT, NDArray phi, NDArray gT, NonLocalMode mode, float logitScale,
      long budgetBytes) {
    long n = thetaT.getShape().get(0);
    long p = thetaT.getShape().get(1);
    long k = phi.getShape().get(2);
    long rows = rowsPerChunk(n, k, budgetBytes);
    if (rows >= p) {
      return chunk(thetaT, phi, gT, mode, logitScale, k);
    }
    NDList parts = new NDList();
    for (long start = 0; start < p; start += rows) {
      long end = Math.min(p, start + rows);
      parts.add(chunk(thetaT.get(new NDIndex(":, {}:{}", start, end)), phi, gT, mode, logitScale, k));
    }
    return NDArrays.concat(parts, 1);
  }

  private static NDArray chunk(NDArray thetaT, NDArray phi, NDArray gT, NonLocalMode mode, float logitScale, long k) {
    NDArray logits = thetaT.matMul(phi);
    NDArray affinity;
    if (mode == NonLocalMode.DOT_PRODUCT) {
      affinity = Scalars.div(logits, (float) k);
    } else {
      affinity = (logitScale == 1f ? logits : Scalars.mul(logits, logitScale)).softmax(-1);
    }
    return affinity.matMul(gT);
  }
}
