package dev.lowlight.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code lowlight} command. Every subcommand has {@code --help}; errors print one line naming
 * the file and the problem, with the stack trace only under {@code --verbose}.
 */
@Command(name = "lowlight", mixinStandardHelpOptions = true, versionProvider = Versions.class,
    description = "Instance segmentation in low light: Mask R-CNN with feature-denoising blocks.",
    subcommands = {PluginsCommand.class, ConfigCommand.class, ScenesCommand.class, SynthCommand.class, TrainCommand.class,
        ImportCommand.class, ExportCommand.class, PredictCommand.class, EvalCommand.class, InspectCommand.class, BenchCommand.class,
        DemoCommand.class, ZooCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (for tests and embedding). */
  public static int run(String... args) {
    // Nothing downloads at run time: DJL must use the native library on the classpath.
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    CommandLine cl = commandLine();
    try {
      return cl.execute(args);
    } finally {
      // picocli's writers buffer: without this, what was printed with print (not println) is lost at exit
      cl.getOut().flush();
      cl.getErr().flush();
    }
  }

  /** The configured command line, for tests that capture its output. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    // one writer per stream for every subcommand (picocli would make one per subcommand lazily),
    // so that flushing the top-level ones at exit flushes all output
    cl.setOut(new java.io.PrintWriter(System.out, true));
    cl.setErr(new java.io.PrintWriter(System.err, true));
    cl.setExecutionExceptionHandler(new ErrorHandler());
    HelpText.apply(cl);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
