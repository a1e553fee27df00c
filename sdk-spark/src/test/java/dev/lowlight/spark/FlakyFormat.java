package dev.lowlight.spark;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;

/**
 * The committed-files format with a fault: the first attempt of the task that writes {@link
 * #VICTIM} writes half of that file and then fails, as a task killed mid-write would (Hadoop
 * instantiates the format, so the victim is a constant and the count static: local mode shares
 * the JVM).
 */
public class FlakyFormat extends CommittedFiles.Format {

  /** The file whose first write fails half-way. */
  static final String VICTIM = "000013.png";

  /** How many attempts failed on purpose. */
  static final AtomicInteger INJECTED = new AtomicInteger();

  /** Instantiated by Hadoop. */
  public FlakyFormat() {}

  @Override
  protected void writeFile(FileSystem fs, Path file, byte[] bytes) throws IOException {
    if (file.getName().equals(VICTIM) && TaskContext.get().attemptNumber() == 0) {
      try (FSDataOutputStream out = DistributedFiles.create(fs, file, false)) {
        out.write(Arrays.copyOf(bytes, bytes.length / 2));
      }
      INJECTED.incrementAndGet();
      throw new IOException("injected failure after half of " + file);
    }
    super.writeFile(fs, file, bytes);
  }
}
