package dev.lowlight.spark.cli;

import dev.lowlight.spark.SparkSessions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** Where a job runs: the options every Spark command shares. */
final class SparkOptions {

  @Option(names = "--master", description = {"Spark master: local[N] (embedded; default local[*]),",
      "spark://HOST:PORT, yarn or k8s://URL. Leave it out under spark-submit."})
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable), as spark-submit's --conf.")
  Map<String, String> conf = new LinkedHashMap<>();

  @Option(names = "--partitions", defaultValue = "0",
      description = "Tasks to cut the images into (default: four per core of the cluster).")
  int partitions;

  /** What a command does with the session. */
  interface Job<T> {
    T run(SparkSession spark) throws Exception;
  }

  /**
   * Runs {@code job} in a session: the one this process already has (an application that calls
   * the command), else a new one, stopped afterwards.
   */
  <T> T run(String name, Job<T> job) throws Exception {
    scala.Option<SparkSession> running = SparkSession.getDefaultSession();
    boolean own = running.isEmpty();
    SparkSession spark = own ? SparkSessions.start("lowlight-spark " + name, master, conf) : running.get();
    try {
      return job.run(spark);
    } finally {
      if (own) {
        spark.stop();
      }
    }
  }
}
