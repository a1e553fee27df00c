package dev.lowlight.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowlight.api.LowlightVersion;
import dev.lowlight.api.config.BoundPlugin;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.api.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reproducibility bundle at the top of a run directory:
 *
 * <pre>
 * RUN/config.yaml   the resolved ModelConfig (solver included)
 * RUN/command.txt   the full command line, one argument per line
 * RUN/run.json      seed, SDK/engine/plugin versions, device, dataset file hashes (SHA-256),
 *                   trainable parameter counts per module; each resume's command line appended
 * </pre>
 */
final class RunBundle {

  /** Configuration file name. */
  static final String CONFIG = "config.yaml";
  /** Command line file name. */
  static final String COMMAND = "command.txt";
  /** Run description file name. */
  static final String RUN = "run.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunBundle() {}

  /** The processor's model name ({@code /proc/cpuinfo}), or {@code os.arch} where there is none. */
  static String cpuModel() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip() + " (" + Runtime.getRuntime().availableProcessors()
              + " cores)";
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the architecture is what there is to say
    }
    return System.getProperty("os.arch") + " (" + Runtime.getRuntime().availableProcessors() + " cores)";
  }

  static Map<String, Object> describe(MaskRcnn model, long seed, Device device, List<String> commandLine,
      List<Path> datasetFiles, Map<String, Long> trainableCounts, String freezePolicy) throws IOException {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("seed", seed);
    run.put("sdk_version", ModelDirectory.SDK_VERSION);
    run.put("api_version", LowlightVersion.api());
    run.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
    run.put("djl_version", Engine.getDjlVersion());
    run.put("java_version", System.getProperty("java.version"));
    run.put("device", device.toString());
    // what a byte-identical --reproduce needs to match: floating-point results depend on the
    // processor's instruction set and on how many threads split each reduction
    run.put("cpu", cpuModel());
    run.put("intra_op_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
    run.put("freeze_policy", freezePolicy);
    run.put("command_line", commandLine);
    List<Map<String, String>> plugins = new java.util.ArrayList<>();
    for (BoundPlugin b : model.plugins().values()) {
      Map<String, String> p = new LinkedHashMap<>();
      p.put("path", b.path());
      p.put("name", b.descriptor().name());
      p.put("version", b.descriptor().version());
      p.put("spi_version", String.valueOf(b.descriptor().spiVersion()));
      p.put("source", b.descriptor().source());
      plugins.add(p);
    }
    run.put("plugins", plugins);
    Map<String, String> hashes = new TreeMap<>();
    for (Path f : datasetFiles) {
      hashes.put(f.toString(), sha256(f));
    }
    run.put("dataset_sha256", hashes);
    run.put("trainable_parameters", trainableCounts);
    return run;
  }

  /**
   * Writes the bundle of a new run, or records a resume: a resumed run keeps the original {@code
   * command.txt} and {@code run.json} (the command that started the run, its seed and versions) and
   * appends {@code {"command_line", "from_iteration"}} to {@code run.json}'s {@code resumes}.
   *
   * @param resumedFrom the iteration a resume starts from, or -1 for a new run
   */
  static void write(Path dir, MaskRcnn model, List<String> commandLine, Map<String, Object> run, int resumedFrom)
      throws IOException {
    Files.createDirectories(dir);
    AtomicFiles.removeLeftovers(dir);
    AtomicFiles.write(dir.resolve(CONFIG), ConfigLoader.toYaml(model.config()).getBytes(StandardCharsets.UTF_8));
    Path runFile = dir.resolve(RUN);
    if (resumedFrom >= 0 && Files.isRegularFile(runFile) && Files.isRegularFile(dir.resolve(COMMAND))) {
      @SuppressWarnings("unchecked")
      Map<String, Object> original = JSON.readValue(runFile.toFile(), LinkedHashMap.class);
      @SuppressWarnings("unchecked")
      List<Object> resumes = original.get("resumes") instanceof List<?> l ? new java.util.ArrayList<>((List<Object>) l)
          : new java.util.ArrayList<>();
      Map<String, Object> resume = new LinkedHashMap<>();
      resume.put("command_line", commandLine);
      resume.put("from_iteration", resumedFrom);
      resumes.add(resume);
      original.put("resumes", resumes);
      AtomicFiles.write(runFile, JSON.writeValueAsBytes(original));
      return;
    }
    AtomicFiles.write(dir.resolve(COMMAND), (String.join("\n", commandLine) + "\n").getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(runFile, JSON.writeValueAsBytes(run));
  }

  /** SHA-256 of a file, or of every regular file under a directory (sorted by path, path included). */
  static String sha256(Path f) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (Files.isDirectory(f)) {
      List<Path> files;
      try (var s = Files.walk(f)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path p : files) {
        md.update(f.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
        md.update(HexFormat.of().parseHex(sha256(p)));
      }
    } else {
      if (!Files.isRegularFile(f)) {
        throw new IOException("dataset file " + f + " does not exist");
      }
      try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
