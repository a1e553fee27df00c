package dev.lowlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The single runnable jar, as users run it: its merged {@code META-INF/services} files must list
 * the plugins of every module (a lost entry in fat jars is a classic ServiceLoader failure).
 */
class RunnableJarIT {

  private static final Path JAR = Path.of(System.getProperty("lowlight.jar", "target/lowlight.jar"));

  @Test
  void listsPluginsOfEveryModuleFromTheRunnableJar() throws Exception {
    assertThat(JAR).exists();
    Result r = run("plugins", "--brief");
    assertThat(r.exit).as(r.err).isZero();
    assertThat(r.out).containsPattern("(?m)^denoiser\\s+identity\\s").contains(JAR.getFileName().toString());
    assertThat(r.out).as("every provider of every module's service files is listed")
        .contains(expectedPluginCount() + " plugins");
  }

  @Test
  void versionAndHelpWork() throws Exception {
    Result v = run("--version");
    assertThat(v.exit).isZero();
    assertThat(v.out).contains("lowlight 0.1.0", "plugin SPI 1.2")
        .as("the sdk-api version is filled in at build time").contains("sdk-api " + apiVersion()).doesNotContain("${");
    Result h = run("plugins", "--help");
    assertThat(h.exit).isZero();
    assertThat(h.out).contains("Usage: lowlight plugins");
  }

  @Test
  void configDefaultsReachesAPipe() throws Exception {
    Result r = run("config", "defaults");
    assertThat(r.exit).isZero();
    assertThat(r.out).contains("num_classes: 91", "max_size: 1333");
  }

  @Test
  void pluginJarsThatGiveNothingAreNamedAndFailThePluginsCommand() throws Exception {
    Path dir = Files.createTempDirectory("lowlight-it");
    Path missing = dir.resolve("se-smooth.jar");
    Path empty = dir.resolve("no-services.jar");
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(empty))) {
      out.putNextEntry(new java.util.jar.JarEntry("org/acme/README.txt"));
      out.write("a jar without a service file".getBytes(StandardCharsets.UTF_8));
    }
    Result r = runWith(java.util.Map.of("LOWLIGHT_CLASSPATH", missing + java.io.File.pathSeparator + empty), "plugins",
        "--brief");
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.err).contains("LOWLIGHT_CLASSPATH entry " + missing + " does not exist")
        .contains("LOWLIGHT_CLASSPATH entry " + empty + " provides no plugin: it has no META-INF/services/");
  }

  /** The sdk-api version this build wrote into the jar's Maven metadata. */
  private static String apiVersion() throws IOException {
    try (var jar = new java.util.jar.JarFile(JAR.toFile())) {
      var entry = jar.getEntry("META-INF/maven/dev.lowlight/sdk-api/pom.properties");
      assertThat(entry).as("sdk-api's pom.properties in the runnable jar").isNotNull();
      java.util.Properties p = new java.util.Properties();
      p.load(jar.getInputStream(entry));
      return p.getProperty("version");
    }
  }

  /** The number of providers registered in the service files of this build's modules. */
  private static long expectedPluginCount() throws IOException {
    Path root = Path.of(System.getProperty("lowlight.root", "..")).toAbsolutePath();
    long count = 0;
    try (var files = Files.walk(root, 8)) {
      for (Path f : files.filter(p -> p.toString().contains("/src/main/resources/META-INF/services/dev.lowlight.api.spi."))
          .filter(p -> !p.toString().contains("/examples/")).toList()) {
        count += Files.readAllLines(f).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
      }
    }
    assertThat(count).as("providers registered in the repo").isPositive();
    return count;
  }

  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) throws Exception {
    return runWith(java.util.Map.of(), args);
  }

  private static Result runWith(java.util.Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }
}
