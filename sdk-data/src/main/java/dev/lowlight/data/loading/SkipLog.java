package dev.lowlight.data.loading;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the loader left out, each entry logged once: annotations at build time, unreadable images
 * as batches meet them (from several workers at once, hence the concurrent map).
 */
final class SkipLog {

  // The loader's logger, so that the warnings keep the logger name users filter on.
  private static final Logger LOG = LoggerFactory.getLogger(CocoLoader.class);

  private final Map<String, Skipped> entries = new ConcurrentHashMap<>();

  /** Records and logs an entry, unless the same image or annotation was already recorded. */
  void skip(Path file, long imageId, long annotationId, String reason) {
    Skipped s = new Skipped(file, imageId, annotationId, reason);
    if (entries.putIfAbsent(key(s), s) == null) {
      LOG.warn("skipping {}", s);
    }
  }

  /** Records without a warning of its own: the caller logs one summary line for many such entries. */
  void recordQuietly(Skipped s) {
    entries.put(key(s), s);
  }

  private static String key(Skipped s) {
    return s.wholeImage() ? "i" + s.imageId() : "a" + s.annotationId();
  }

  int size() {
    return entries.size();
  }

  /** Some entry, for an error message that gives an example. */
  Optional<Skipped> any() {
    return entries.values().stream().findFirst();
  }

  /** All entries, by image id then annotation id. */
  List<Skipped> sorted() {
    List<Skipped> out = new ArrayList<>(entries.values());
    out.sort(Comparator.comparingLong(Skipped::imageId).thenComparingLong(Skipped::annotationId));
    return out;
  }
}
