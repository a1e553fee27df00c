package dev.lowlight.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of the {@code sdk-api} artifact on the classpath, as written by the build. */
public final class LowlightVersion {

  private static final String VERSION = load();

  private LowlightVersion() {}

  /** The {@code sdk-api} version, for example {@code 1.0.0}. */
  public static String api() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = LowlightVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dev/lowlight/api/version.properties", e);
    }
  }
}
