package dev.lowlight.spark;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the Spark session of a job: the master given, else the one {@code spark-submit} set,
 * else an embedded local Spark on every core ({@value #DEFAULT_MASTER}), so nothing needs to be
 * installed to run on one machine.
 */
public final class SparkSessions {

  /** The master when none is given and none was set by {@code spark-submit}. */
  public static final String DEFAULT_MASTER = "local[*]";

  private SparkSessions() {}

  /**
   * A session for {@code appName}.
   *
   * @param master {@code local[N]}, {@code spark://host:port}, {@code yarn}, {@code k8s://...}, or
   *     {@code null} for the one {@code spark-submit} set (else {@value #DEFAULT_MASTER})
   * @param conf further Spark settings ({@code spark.executor.memory}, ...)
   */
  public static SparkSession start(String appName, String master, Map<String, String> conf) {
    String chosen = master != null ? master : System.getProperty("spark.master", DEFAULT_MASTER);
    SparkSession.Builder b = SparkSession.builder().appName(appName).master(chosen);
    if (chosen.startsWith("local")) {
      // An embedded Spark is a library call, not a service: no web UI port, and the driver on the
      // loopback address whatever the host name resolves to.
      b.config("spark.ui.enabled", "false");
      b.config("spark.driver.host", "localhost");
      b.config("spark.driver.bindAddress", "127.0.0.1");
    }
    conf.forEach(b::config);
    return b.getOrCreate();
  }
}
