package dev.lowlight.data.dataset;

/** Told after each item of a long job; implementations must be thread-safe. */
@FunctionalInterface
public interface ProgressListener {

  /** Does nothing. */
  ProgressListener NONE = (done, total) -> {};

  /**
   * One more item is finished.
   *
   * @param done items finished so far
   * @param total items in the job
   */
  void progress(int done, int total);
}
