package dev.lowlight.api.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;

/**
 * Durable, atomic file writes for everything the SDK saves (models, weights, checkpoints, images,
 * sidecars): the data goes to a temporary sibling, is forced to disk, and a rename publishes it,
 * so a crash leaves either the old file or the complete new one, never half of one.
 *
 * <pre>{@code
 * AtomicFiles.write(path, out -> model.writeTo(out));
 * }</pre>
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /** Writes the content of a file to a stream. */
  @FunctionalInterface
  public interface Content {
    /** Writes everything to {@code out} (not closed by the callee). */
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes {@code bytes} to {@code file} atomically, creating parent folders. */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, out -> out.write(bytes));
  }

  /**
   * Writes {@code content} to {@code file} atomically, creating parent folders. The temporary file
   * gets a unique name (concurrent writers of one file do not collide) and default permissions
   * ({@code Files.createTempFile} would leave owner-only permissions on the published file); it is
   * deleted when writing fails.
   */
  public static void write(Path file, Content content) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.writeTo(out);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      move(tmp, target);
      tmp = null;
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
    }
    forceDirectory(dir);
  }

  /** Writes and fsyncs {@code file} in place (no rename); for files inside a directory published later. */
  public static void writeDurably(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  /** Renames atomically where the file system can, replacing {@code to}. */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Forces a directory's entries to disk; a no-op where the platform cannot open directories. */
  public static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory as a channel; its rename is already durable enough.
    }
  }

  /** The temporary files {@link #write} makes: {@code .NAME.UUID.tmp}. */
  private static final java.util.regex.Pattern TEMPORARY =
      java.util.regex.Pattern.compile("\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

  /**
   * Removes the temporary files a killed process left in {@code dir} and its subfolders (two
   * levels deep: an output folder and its {@code images/}): those {@link #write} names, last
   * modified before this process started, so that a concurrent writer's file in progress is left
   * alone. Returns how many were removed; a missing folder has none.
   */
  public static int removeLeftovers(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    java.nio.file.attribute.FileTime started = java.nio.file.attribute.FileTime.from(processStart());
    int removed = 0;
    try (var files = Files.find(dir, 2, (p, a) -> a.isRegularFile()
        && TEMPORARY.matcher(p.getFileName().toString()).matches() && a.lastModifiedTime().compareTo(started) < 0)) {
      for (Path p : files.toList()) {
        if (Files.deleteIfExists(p)) {
          removed++;
        }
      }
    }
    if (removed > 0) {
      org.slf4j.LoggerFactory.getLogger(AtomicFiles.class).info("removed {} temporary files left in {} by an"
          + " interrupted run", removed, dir);
    }
    return removed;
  }

  /** When this process started (the JVM's start where the platform does not say). */
  static java.time.Instant processStart() {
    return ProcessHandle.current().info().startInstant().orElseGet(() -> java.time.Instant.ofEpochMilli(
        java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()));
  }

  /** Deletes a file tree (children first). */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
