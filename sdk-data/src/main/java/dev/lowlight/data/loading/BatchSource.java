package dev.lowlight.data.loading;

/**
 * An endless, deterministic stream of training batches (epochs follow one another). The trainer
 * records {@link #position()} in its checkpoints and calls {@link #seek} on resume, so a resumed
 * run sees exactly the batches an uninterrupted one would.
 */
public interface BatchSource extends AutoCloseable {

  /** The next batch; blocks while background workers prepare it. */
  Batch next();

  /** The position after the last batch returned (0 before the first). */
  long position();

  /** Continues as if {@code position} batches had been returned. */
  void seek(long position);

  /** Stops background workers. */
  @Override
  void close();
}
