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
    assertThat(r.out()).containsPattern("(?m)^denoiser\\s+identity\\s+0\\.1\\.0\\s+1\\.0\\s+\\S+");
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] cmd : new String[][] {{"--help"}, {"plugins", "--help"}, {"config", "--help"},
        {"config", "check", "--help"}, {"demo", "--help"}}) {
      Run r = lowlight(cmd);
      assertThat(r.exit()).isZero();
      assertThat(r.out()).startsWith("Usage: lowlight");
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
    assertThat(r.out()).contains("num_classes: 91", "min_size: 800", "max_size: 1333", "name: \"resnet50\"");
  }
}
