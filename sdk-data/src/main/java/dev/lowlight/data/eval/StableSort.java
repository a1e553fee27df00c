package dev.lowlight.data.eval;

/**
 * A stable sort of indices by a double key, highest first, on primitive arrays. pycocotools sorts
 * with numpy's mergesort, so equal scores keep their input order; the comparison is {@code >} on
 * doubles, so -0.0 and 0.0 tie as they do in numpy.
 */
final class StableSort {

  private StableSort() {}

  /**
   * Sorts {@code idx} so that {@code keys[idx[i]]} does not increase; ties keep their order.
   *
   * @param keys the keys
   * @param idx the indices to sort, in place
   * @param n how many of {@code idx} to sort
   */
  static void descending(double[] keys, int[] idx, int n) {
    if (n < 2) {
      return;
    }
    if (n <= 32) {
      insertion(keys, idx, 0, n);
      return;
    }
    int[] buf = new int[n];
    // Bottom-up: insertion-sorted runs of 32, then merges of doubling width.
    for (int lo = 0; lo < n; lo += 32) {
      insertion(keys, idx, lo, Math.min(lo + 32, n));
    }
    int[] src = idx;
    int[] dst = buf;
    for (int width = 32; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        int i = lo;
        int j = mid;
        int o = lo;
        while (i < mid && j < hi) {
          // Take from the right only when strictly greater: that keeps equal keys in order.
          dst[o++] = keys[src[j]] > keys[src[i]] ? src[j++] : src[i++];
        }
        while (i < mid) {
          dst[o++] = src[i++];
        }
        while (j < hi) {
          dst[o++] = src[j++];
        }
      }
      int[] t = src;
      src = dst;
      dst = t;
    }
    if (src != idx) {
      System.arraycopy(src, 0, idx, 0, n);
    }
  }

  private static void insertion(double[] keys, int[] idx, int lo, int hi) {
    for (int i = lo + 1; i < hi; i++) {
      int v = idx[i];
      double k = keys[v];
      int j = i - 1;
      while (j >= lo && keys[idx[j]] < k) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = v;
    }
  }
}
