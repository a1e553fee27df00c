package dev.lowlight.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code lowlight-spark} command line: help on every command, and one-line errors. */
class CommandLineTest {

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  @Test
  void everyCommandHasHelp() {
    for (List<String> command : List.of(List.<String>of(), List.of("synth"), List.of("predict"), List.of("bench"))) {
      String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("--help"))
          .toArray(String[]::new);
      Run r = run(args);
      assertThat(r.exit()).as("%s --help", command).isZero();
      assertThat(r.out()).as("%s --help", command).startsWith("Usage: lowlight-spark");
    }
    assertThat(run("synth", "--help").out()).contains("--ann", "--images", "--output", "--preset", "--option", "--seed",
        "--master", "--partitions");
    assertThat(run("predict", "--help").out()).contains("--model", "--images", "--output", "--master", "--format");
  }

  @Test
  void aMissingAnnotationFileIsOneLineNamingIt() {
    Path missing = dir.resolve("nope.json");
    Run r = run("synth", "--ann", missing.toString(), "--images", dir.toString(), "--output",
        dir.resolve("out").toString(), "--master", "local[1]");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines().findFirst().orElseThrow()).startsWith("lowlight-spark: error: ")
        .endsWith("nope.json: no such annotation file");
    assertThat(r.err()).contains("--verbose").doesNotContain("\tat ");
  }
}
