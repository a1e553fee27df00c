package dev.lowlight.data.loading;

import dev.lowlight.data.dataset.LowLightTwin;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fills the slot of an image that cannot be used with another one. An image found unusable is
 * logged once and never tried again; its replacement is drawn from a generator seeded by {@code
 * (seed, batch, slot)}, which keeps batches deterministic because a file's readability does not
 * depend on timing. Gives up after {@value #MAX_REPLACEMENTS} failures in a row, which means most
 * of the dataset is unreadable, not bad luck.
 */
final class UnreadableImages {

  private static final long REPLACE_SALT = 0x5245504CL;
  static final int MAX_REPLACEMENTS = 64;

  private final List<UsableImage> images;
  private final ImagePreparer preparer;
  private final long seed;
  private final SkipLog skipLog;
  private final Map<Integer, String> bad = new ConcurrentHashMap<>();

  UnreadableImages(List<UsableImage> images, ImagePreparer preparer, long seed, SkipLog skipLog) {
    this.images = images;
    this.preparer = preparer;
    this.seed = seed;
    this.skipLog = skipLog;
  }

  /** Image {@code index} of {@code epoch} prepared, or a replacement for slot {@code slot} of batch {@code p}. */
  PreparedImage prepareOrReplace(int index, long epoch, long p, int slot) {
    SplittableRandom replacements = null;
    int candidate = index;
    for (int attempt = 0; attempt <= MAX_REPLACEMENTS; attempt++) {
      if (!bad.containsKey(candidate)) {
        PreparedImage s = tryPrepare(candidate, epoch);
        if (s != null) {
          return s;
        }
      }
      if (replacements == null) {
        replacements = new SplittableRandom(LowLightTwin.imageSeed(LowLightTwin.imageSeed(seed ^ REPLACE_SALT, p), slot));
      }
      candidate = replacements.nextInt(images.size());
    }
    throw new IllegalStateException("batch " + p + ": " + (MAX_REPLACEMENTS + 1) + " images in a row could not be read ("
        + bad.size() + " of " + images.size() + " unreadable so far; see the warnings), giving up");
  }

  private PreparedImage tryPrepare(int index, long epoch) {
    UsableImage item = images.get(index);
    try {
      return preparer.prepare(item, epoch);
    } catch (ImagePreparer.UnusableImageException e) {
      if (bad.putIfAbsent(index, e.getMessage()) == null) {
        skipLog.skip(item.file(), item.image().id(), Skipped.WHOLE_IMAGE, e.getMessage());
      }
      return null;
    }
  }
}
