package dev.lowlight.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop configuration that can travel to the executors (it is {@code Writable}, not {@code
 * Serializable}), so that tasks open {@code hdfs://}, {@code s3a://} or local paths with the
 * driver's settings. Broadcast it once per job rather than capturing it in every task.
 */
public final class HadoopConf implements Serializable {

  private static final long serialVersionUID = 1L;

  private transient Configuration conf;

  /** Wraps {@code conf} (not copied). */
  public HadoopConf(Configuration conf) {
    this.conf = conf;
  }

  /** The configuration. */
  public Configuration get() {
    return conf;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    conf.write(out);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    conf = new Configuration(false);
    conf.readFields(in);
  }
}
