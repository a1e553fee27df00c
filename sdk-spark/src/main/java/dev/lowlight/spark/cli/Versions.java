package dev.lowlight.spark.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Versions printed by {@code lowlight-spark --version}: this module's and the Spark it runs on. */
final class Versions implements IVersionProvider {

  @Override
  public String[] getVersion() throws IOException {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("/lowlight-spark.properties")) {
      if (in != null) {
        p.load(in);
      }
    }
    return new String[] {"lowlight-spark " + p.getProperty("version", "unknown") + " on Apache Spark "
        + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ", Java " + System.getProperty("java.version")};
  }
}
