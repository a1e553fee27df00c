package dev.lowlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run lowlight(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void pluginsListsTheIdentityDenoiserWithVersions() {
    Run r = lowlight("plugins");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^denoiser\\s+identity\\s+0\\.1\\.0\\s+1\\.2\\s+\\S+");
  }

  @Test
  void everyCommandHasHelpThatPicocliCanFormat() {
    java.util.List<java.util.List<String>> commands = new java.util.ArrayList<>();
    collect(Main.commandLine(), new java.util.ArrayList<>(), commands);
    assertThat(commands).hasSizeGreaterThan(10);
    // picocli reports a description it cannot format (a bare '%') on System.err, not on the command's writer
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (java.util.List<String> command : commands) {
        java.util.List<String> args = new java.util.ArrayList<>(command);
        args.add("--help");
        Run r = lowlight(args.toArray(String[]::new));
        assertThat(r.exit()).as("%s --help", command).isZero();
        assertThat(r.out()).as("%s --help", command).startsWith("Usage: lowlight");
      }
    } finally {
      System.setErr(saved);
    }
    assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
  }

  private static void collect(CommandLine cl, java.util.List<String> path, java.util.List<java.util.List<String>> out) {
    out.add(path);
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getValue().getCommandSpec().name().equals(e.getKey()) && !e.getKey().equals("help")) {
        java.util.List<String> sub = new java.util.ArrayList<>(path);
        sub.add(e.getKey());
        collect(e.getValue(), sub, out);
      }
    }
  }

  @Test
  void unknownDenoiserIsAOneLineErrorListingValidNames() throws Exception {
    Path f = dir.resolve("cfg.yaml");
    Files.writeString(f, "denoise: {name: wnbl}\n");
    Run r = lowlight("config", "check", f.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).containsPattern("(?m)^lowlight: error: " + java.util.regex.Pattern.quote(f.toString())
        + ": denoise\\.name: unknown denoiser plugin 'wnbl'; available: [^\\n]*identity[^\\n]*$");
  }

  @Test
  void misspelledKeyFailsNamingTheKey() throws Exception {
    Path f = dir.resolve("cfg.yaml");
    Files.writeString(f, "num_clases: 3\n");
    Run r = lowlight("config", "check", f.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains(f + ": num_clases: unknown key; valid keys here:").contains("num_classes")
        .doesNotContain("at dev.lowlight");
  }

  @Test
  void defaultsAreTorchvisions() {
    Run r = lowlight("config", "defaults");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("num_classes: 91", "min_size: 800", "max_size: 1333", "name: \"resnet50\"",
        "steps: null", "backbone-fpn");
    assertThat(dev.lowlight.api.config.ConfigLoader.parse(r.out(), true))
        .isEqualTo(dev.lowlight.api.config.ModelConfig.defaults());
  }
}
