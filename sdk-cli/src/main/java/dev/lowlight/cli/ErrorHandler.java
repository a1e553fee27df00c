package dev.lowlight.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints {@code lowlight: error: <message>}; the stack trace only with {@code --verbose}. */
final class ErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
    boolean verbose = Arrays.asList(parsed.originalArgs().toArray(String[]::new)).contains("--verbose");
    String message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
    cl.getErr().println("lowlight: error: " + message);
    if (verbose) {
      ex.printStackTrace(cl.getErr());
    } else {
      cl.getErr().println("(run again with --verbose for the stack trace)");
    }
    return ex instanceof UserError ue ? ue.exitCode() : 1;
  }
}
