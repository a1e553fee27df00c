package dev.lowlight.spark;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files on any file system Hadoop reaches (local paths, {@code file:}, {@code hdfs:}, {@code s3a:}),
 * read and written whole. Paths are strings so that they pass unchanged between driver and
 * executors; {@link #qualify} makes a relative local path absolute on the driver before it travels.
 */
public final class DistributedFiles {

  /** Largest file read whole (a Java array's limit). */
  static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  private DistributedFiles() {}

  /** {@code path} with its file system and, for a relative path, the working directory made explicit. */
  public static String qualify(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).makeQualified(p).toString();
  }

  /** {@code dir/child}. */
  public static String child(String dir, String child) {
    return new Path(dir, child).toString();
  }

  /** The last segment of {@code path}. */
  public static String name(String path) {
    return new Path(path).getName();
  }

  /**
   * Reads a whole file.
   *
   * @throws FileNotFoundException when there is no such file
   * @throws IOException when it is a directory, too large or unreadable
   */
  public static byte[] read(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    FileStatus status = fs.getFileStatus(p);
    if (status.isDirectory()) {
      throw new IOException(path + " is a directory");
    }
    if (status.getLen() > MAX_BYTES) {
      throw new IOException(path + " has " + status.getLen() + " bytes, more than can be read at once");
    }
    try (InputStream in = fs.open(p)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) status.getLen());
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  /** Writes a whole file: into a hidden temporary file next to it, then renamed over it. */
  public static void write(Configuration conf, String path, byte[] bytes) throws IOException {
    write(conf, path, out -> out.write(bytes));
  }

  /** What to write into a stream. */
  @FunctionalInterface
  public interface Content {
    /** Writes the content. */
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes a file from {@code content}: into a hidden temporary file next to it, then renamed over it. */
  public static void write(Configuration conf, String path, Content content) throws IOException {
    Path target = new Path(path);
    FileSystem fs = target.getFileSystem(conf);
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
    try (FSDataOutputStream out = create(fs, tmp, true)) {
      content.writeTo(out);
    }
    if (fs.exists(target)) {
      fs.delete(target, false);
    }
    if (!fs.rename(tmp, target)) {
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
  }

  /**
   * Creates a file without the {@code .name.crc} file next to it that Hadoop's local file system
   * would add: the outputs keep the single-machine layout, file for file.
   */
  static FSDataOutputStream create(FileSystem fs, Path file, boolean overwrite) throws IOException {
    FileSystem raw = fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    return raw.create(file, overwrite);
  }

  /** Whether {@code path} exists. */
  public static boolean exists(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).exists(p);
  }

  /** Whether {@code path} is a directory. */
  public static boolean isDirectory(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    return fs.exists(p) && fs.getFileStatus(p).isDirectory();
  }

  /** Whether {@code path} is missing or an empty directory (what a job may write into). */
  public static boolean isMissingOrEmptyDirectory(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    return !fs.exists(p) || (fs.getFileStatus(p).isDirectory() && fs.listStatus(p).length == 0);
  }

  /**
   * Checks a job's image directory and output directory before anything runs.
   *
   * @throws IllegalArgumentException naming the directory when the images' is missing or the
   *     output is not empty
   */
  static void checkJobDirectories(Configuration conf, String images, String output) throws IOException {
    if (!isDirectory(conf, images)) {
      throw new IllegalArgumentException(images + ": no such image directory");
    }
    if (!isMissingOrEmptyDirectory(conf, output)) {
      throw new IllegalArgumentException(output + " already exists and is not empty; a Spark job writes a new directory");
    }
  }

  /** Deletes a file or a directory with everything in it; nothing when it is missing. */
  public static void delete(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    p.getFileSystem(conf).delete(p, true);
  }

  /**
   * The regular files directly in {@code dir} whose names pass {@code accept}, as full paths in
   * the order of their names' UTF-8 bytes (the order of {@code java.nio.file.Path}s on Linux, so
   * the order {@code lowlight predict} numbers a directory's images in).
   */
  public static List<String> list(Configuration conf, String dir, Predicate<String> accept) throws IOException {
    Path p = new Path(dir);
    List<FileStatus> files = new ArrayList<>();
    for (FileStatus s : p.getFileSystem(conf).listStatus(p)) {
      if (s.isFile() && accept.test(s.getPath().getName())) {
        files.add(s);
      }
    }
    files.sort((a, b) -> Arrays.compareUnsigned(utf8(a.getPath().getName()), utf8(b.getPath().getName())));
    List<String> out = new ArrayList<>(files.size());
    for (FileStatus s : files) {
      out.add(s.getPath().toString());
    }
    return out;
  }

  /** Whether {@code name} is an image file {@code lowlight predict} takes from a directory. */
  public static boolean isImageName(String name) {
    return name.toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp)");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
