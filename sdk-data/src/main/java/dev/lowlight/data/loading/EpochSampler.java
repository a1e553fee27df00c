package dev.lowlight.data.loading;

import dev.lowlight.data.dataset.LowLightTwin;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Which images batch {@code p} holds: epoch {@code e = p / batchesPerEpoch} shuffles the usable
 * images with a generator seeded from {@code (seed, e)} and the batch takes its slice of that order.
 * A pure function of {@code p}, so that any worker can compute any batch and a resumed loader needs
 * nothing but the position. The incomplete last batch of an epoch is dropped, as torchvision's
 * reference {@code BatchSampler(drop_last=True)} does; a dataset smaller than one batch gives one
 * smaller batch per epoch.
 */
final class EpochSampler {

  private static final long SHUFFLE_SALT = 0x5348554646_4C45L;

  private final int images;
  private final int batchSize;
  private final long seed;
  private final boolean shuffle;
  private final long batchesPerEpoch;
  private final Map<Long, int[]> orders = Collections.synchronizedMap(new LinkedHashMap<>(4, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, int[]> eldest) {
      // Workers straddle at most two epochs at a time; a few entries avoid recomputing orders.
      return size() > 4;
    }
  });

  EpochSampler(int images, int batchSize, long seed, boolean shuffle) {
    this.images = images;
    this.batchSize = batchSize;
    this.seed = seed;
    this.shuffle = shuffle;
    this.batchesPerEpoch = Math.max(1, images / batchSize);
  }

  long batchesPerEpoch() {
    return batchesPerEpoch;
  }

  /** The epoch batch {@code p} belongs to. */
  long epochOf(long p) {
    return p / batchesPerEpoch;
  }

  /** The indices (into the usable images) of batch {@code p}'s images, slot by slot. */
  int[] imagesOf(long p) {
    int k = (int) (p % batchesPerEpoch);
    int[] order = order(epochOf(p));
    int n = Math.min(batchSize, order.length);
    int[] out = new int[n];
    System.arraycopy(order, k * n, out, 0, n);
    return out;
  }

  private int[] order(long epoch) {
    int[] cached = orders.get(epoch);
    if (cached != null) {
      return cached;
    }
    int[] order = new int[images];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom r = new SplittableRandom(LowLightTwin.imageSeed(seed ^ SHUFFLE_SALT, epoch));
      for (int i = order.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    orders.put(epoch, order);
    return order;
  }
}
