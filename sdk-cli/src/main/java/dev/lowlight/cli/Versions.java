package dev.lowlight.cli;

import dev.lowlight.api.LowlightVersion;
import dev.lowlight.api.spi.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Versions printed by {@code lowlight --version}. */
final class Versions implements IVersionProvider {

  static String cli() {
    try (InputStream in = Versions.class.getResourceAsStream("/lowlight-cli.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"lowlight " + cli() + " (sdk-api " + LowlightVersion.api() + ", plugin SPI " + SpiVersion.RUNTIME
        + ")", "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch")};
  }
}
