package dev.lowlight.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA on standard error. On a terminal it redraws in place;
 * when standard error is a file or pipe (CI logs) it prints a line at most every few seconds.
 */
final class ProgressBar implements AutoCloseable {

  private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

  private final String task;
  private final long total;
  private final PrintStream out;
  private final boolean interactive;
  private final long start = System.nanoTime();
  private long lastPrint;
  private long done;
  private String extra = "";

  ProgressBar(String task, long total) {
    this(task, total, System.err, System.console() != null);
  }

  ProgressBar(String task, long total, PrintStream out, boolean interactive) {
    this.task = task;
    this.total = Math.max(1, total);
    this.out = out;
    this.interactive = interactive;
  }

  /** Advances by {@code n} and sets trailing text (e.g. loss terms). */
  synchronized void step(long n, String text) {
    done = Math.min(total, done + n);
    extra = text == null ? "" : text;
    long now = System.nanoTime();
    if (interactive || now - lastPrint > LOG_INTERVAL_NANOS || done == total) {
      lastPrint = now;
      print(now);
    }
  }

  void step() {
    step(1, extra);
  }

  private void print(long now) {
    double elapsed = (now - start) / 1e9;
    double rate = done / Math.max(elapsed, 1e-9);
    long eta = rate > 0 ? (long) ((total - done) / rate) : 0;
    int width = 30;
    int filled = (int) (width * done / total);
    String line = String.format(Locale.ROOT, "%s [%s%s] %d/%d %.1f/s ETA %s %s", task, "#".repeat(filled),
        ".".repeat(width - filled), done, total, rate, format(Duration.ofSeconds(eta)), extra);
    if (interactive) {
      out.print("\r" + line);
    } else {
      out.println(line);
    }
    out.flush();
  }

  private static String format(Duration d) {
    return d.toHours() > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
        : String.format(Locale.ROOT, "%d:%02d", d.toMinutesPart(), d.toSecondsPart());
  }

  @Override
  public void close() {
    if (interactive) {
      out.println();
    }
  }
}
