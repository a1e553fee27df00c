package dev.lowlight.spark;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapred.FileAlreadyExistsException;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordWriter;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.spark.api.java.JavaPairRDD;

/**
 * Writes a distributed collection of files, {@code (relative path, bytes)} pairs, into one
 * directory through Spark's commit protocol. Each task writes its files under its own attempt
 * directory; the file output committer moves them into place only when the attempt commits, and the
 * job's commit merges the committed tasks into the directory. So a task that fails and is retried,
 * or a speculative copy that loses, leaves no partial and no duplicate file: the directory holds
 * exactly one copy of every file, as if each task had run once.
 *
 * <pre>{@code
 * JavaPairRDD<String, byte[]> files = ...;   // ("images/000001.png", bytes), ...
 * CommittedFiles.save(files, "hdfs://nn/out", spark.sparkContext().hadoopConfiguration());
 * }</pre>
 */
public final class CommittedFiles {

  private CommittedFiles() {}

  /**
   * Writes every pair's bytes to {@code directory/path}; paths must be unique, relative, and
   * without {@code ..}. The directory must not exist or be empty.
   *
   * @throws org.apache.spark.SparkException when a task fails more often than Spark retries it
   */
  public static void save(JavaPairRDD<String, byte[]> files, String directory, Configuration conf) {
    save(files, directory, conf, Format.class);
  }

  /** {@link #save} with another {@link Format} (tests inject failures into its writes). */
  static void save(JavaPairRDD<String, byte[]> files, String directory, Configuration conf,
      Class<? extends Format> format) {
    Configuration job = new Configuration(conf);
    // Version 1 moves a task's files only when its attempt commits; version 2 would move them at
    // task commit straight into the directory, where a job that fails later leaves them behind.
    job.setInt(FileOutputCommitter.FILEOUTPUTCOMMITTER_ALGORITHM_VERSION, 1);
    // The layout is the single-machine commands' layout: no _SUCCESS marker in it.
    job.setBoolean(FileOutputCommitter.SUCCESSFUL_JOB_OUTPUT_DIR_MARKER, false);
    files.saveAsNewAPIHadoopFile(directory, String.class, byte[].class, format, job);
  }

  /** Rejects a relative path that could leave the directory or hide in the committer's folders. */
  static String checkRelative(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("//")) {
      throw new IllegalArgumentException("'" + path + "' is not a relative path of the form a/b/c");
    }
    for (String segment : path.split("/")) {
      if (segment.equals("..") || segment.equals(".") || segment.equals(FileOutputCommitter.PENDING_DIR_NAME)) {
        throw new IllegalArgumentException("'" + path + "' may not contain '" + segment + "'");
      }
    }
    return path;
  }

  /**
   * The output format: one file per record, under the task attempt's work directory of a {@link
   * FileOutputCommitter}. Public with a no-argument constructor because Hadoop instantiates it.
   */
  public static class Format extends FileOutputFormat<String, byte[]> {

    /** Instantiated by Spark through Hadoop. */
    public Format() {}

    @Override
    public RecordWriter<String, byte[]> getRecordWriter(TaskAttemptContext context) throws IOException {
      Path work = ((FileOutputCommitter) getOutputCommitter(context)).getWorkPath();
      FileSystem fs = work.getFileSystem(context.getConfiguration());
      return new RecordWriter<>() {
        @Override
        public void write(String path, byte[] bytes) throws IOException {
          writeFile(fs, new Path(work, checkRelative(path)), bytes);
        }

        @Override
        public void close(TaskAttemptContext c) {
          // every file is closed as soon as it is written
        }
      };
    }

    /** Writes one file; a second record with the same path is an error, never a silent overwrite. */
    protected void writeFile(FileSystem fs, Path file, byte[] bytes) throws IOException {
      try (FSDataOutputStream out = DistributedFiles.create(fs, file, false)) {
        out.write(bytes);
      }
    }

    /** The directory may exist if it is empty (the single-machine commands write into such a one). */
    @Override
    public void checkOutputSpecs(JobContext job) throws IOException {
      Path out = getOutputPath(job);
      if (out == null) {
        throw new IllegalStateException("no output directory set");
      }
      FileSystem fs = out.getFileSystem(job.getConfiguration());
      if (fs.exists(out)) {
        FileStatus[] entries = fs.listStatus(out);
        if (!fs.getFileStatus(out).isDirectory() || entries.length > 0) {
          throw new FileAlreadyExistsException(out + " already exists and is not an empty directory");
        }
      }
    }
  }
}
