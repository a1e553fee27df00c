package dev.lowlight.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * One embedded Spark for every test of the JVM: {@code local[2,2]}, two cores and a second
 * attempt for a failed task (what the retry test relies on).
 */
final class TestSpark {

  private static SparkSession session;

  private TestSpark() {}

  static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSessions.start("sdk-spark tests", "local[2,2]", Map.of(
          "spark.sql.shuffle.partitions", "2",
          "spark.sql.warehouse.dir", Path.of("target/spark-warehouse").toAbsolutePath().toString()));
    }
    return session;
  }

  /**
   * Every file under {@code root} by relative path, with its size and SHA-256: two trees equal byte
   * for byte compare equal, and a difference reads as the files that differ.
   */
  static Map<String, String> tree(Path root) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.put(root.relativize(f).toString(), digest(Files.readAllBytes(f)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static String digest(byte[] bytes) {
    try {
      return bytes.length + " bytes, sha256 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
