package dev.lowlight.spark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code lowlight-spark} command: {@code synth} and {@code predict} as Spark jobs, on an
 * embedded local Spark by default or on a cluster through {@code spark-submit}. Errors print one
 * line; {@code --verbose} adds the stack trace.
 */
@Command(name = "lowlight-spark", mixinStandardHelpOptions = true, versionProvider = Versions.class,
    description = {"lowlight on Apache Spark: the low-light twin of a whole dataset and batch",
        "inference, with the same bytes as the single-machine commands. Runs an embedded",
        "local Spark (--master local[*]) unless --master or spark-submit names a cluster."},
    subcommands = {SynthCommand.class, PredictCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (for tests and embedding). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, for tests that capture its output. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      line.getErr().println("lowlight-spark: error: " + firstLine(ex));
      if (parsed.originalArgs().contains("--verbose")) {
        ex.printStackTrace(line.getErr());
      } else {
        line.getErr().println("(run again with --verbose for the stack trace)");
      }
      return isUsers(ex) ? 2 : 1;
    });
    return cl;
  }

  /** Spark's messages about failed jobs run over many lines; the first one says what failed. */
  private static String firstLine(Exception ex) {
    String m = ex.getMessage() == null ? ex.toString() : ex.getMessage().strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** A problem with what the user gave (a file, an option), which the user can fix. */
  private static boolean isUsers(Exception ex) {
    return ex instanceof IllegalArgumentException || ex instanceof java.io.FileNotFoundException
        || ex.getClass().getName().startsWith("dev.lowlight.");
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
