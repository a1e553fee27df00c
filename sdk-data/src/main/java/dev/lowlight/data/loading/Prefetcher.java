package dev.lowlight.data.loading;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The position in the endless stream of batches, and the background workers that prepare the
 * next ones ahead of it. Batches are submitted in position order and taken in that order, so the
 * output does not depend on the number of workers or their timing; since a batch is a pure
 * function of its position, {@link #seek} only has to drop what was prepared ahead.
 */
final class Prefetcher {

  // The loader's logger, so that the warning keeps the logger name users filter on.
  private static final Logger LOG = LoggerFactory.getLogger(CocoLoader.class);

  private final LongFunction<Batch> batchAt;
  private final int prefetch;
  private final ExecutorService executor;
  private final ArrayDeque<Future<Batch>> window = new ArrayDeque<>();
  private long position;
  private long submitted;
  private volatile boolean closed;

  /**
   * @param batchAt prepares batch {@code p}; called from the workers, or from {@link #next}'s
   *     caller when {@code workers} is 0
   * @param workers background threads, 0 for none
   * @param prefetch batches prepared ahead
   */
  Prefetcher(LongFunction<Batch> batchAt, int workers, int prefetch) {
    this.batchAt = batchAt;
    this.prefetch = prefetch;
    this.executor = workers == 0 ? null : Executors.newFixedThreadPool(workers, daemonThreads());
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "lowlight-loader-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Whether {@link #close} was called; workers check it between images to stop early. */
  boolean closed() {
    return closed;
  }

  synchronized Batch next() {
    if (closed) {
      throw new IllegalStateException("the loader is closed");
    }
    Batch b;
    if (executor == null) {
      b = batchAt.apply(position);
    } else {
      fill();
      Future<Batch> f = window.pollFirst();
      try {
        b = f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        window.addFirst(f);
        throw new IllegalStateException("interrupted while waiting for batch " + position, e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException re) {
          throw re;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException("preparing batch " + position + " failed: " + c, c);
      }
    }
    position++;
    if (executor != null) {
      fill();
    }
    return b;
  }

  private void fill() {
    while (window.size() < prefetch) {
      long p = submitted++;
      window.addLast(executor.submit(() -> batchAt.apply(p)));
    }
  }

  synchronized long position() {
    return position;
  }

  synchronized void seek(long newPosition) {
    if (newPosition < 0) {
      throw new IllegalArgumentException("position must be >= 0, got " + newPosition);
    }
    for (Future<Batch> f : window) {
      // Not interrupting: a worker inside native decoding finishes and its result is dropped.
      f.cancel(false);
    }
    window.clear();
    position = newPosition;
    submitted = newPosition;
  }

  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Future<Batch> f : window) {
      f.cancel(false);
    }
    window.clear();
    if (executor != null) {
      executor.shutdown();
      try {
        // Workers stop at their next image; waiting means no file is touched after close returns.
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
          LOG.warn("loader workers still busy 30 s after close");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
