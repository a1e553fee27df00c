package dev.lowlight.cli;

import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.registry.PluginException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints {@code lowlight: error: <message>}; the stack trace only with {@code --verbose}, and the
 * hint that it exists only for errors the user did not cause: a missing file or a bad
 * configuration is said in full in one line, and its stack trace would tell nothing more.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
    boolean verbose = Arrays.asList(parsed.originalArgs().toArray(String[]::new)).contains("--verbose");
    cl.getErr().println("lowlight: error: " + message(ex));
    if (verbose) {
      ex.printStackTrace(cl.getErr());
    } else if (!explained(ex)) {
      cl.getErr().println("(run again with --verbose for the stack trace)");
    }
    return ex instanceof UserError ue ? ue.exitCode() : explained(ex) ? 2 : 1;
  }

  /** Errors whose message says everything: the user's input, not the program, is wrong. */
  private static boolean explained(Exception ex) {
    return ex instanceof UserError || ex instanceof ConfigException || ex instanceof PluginException
        || ex instanceof NoSuchFileException || ex instanceof AccessDeniedException
        || ex instanceof dev.lowlight.runtime.ModelLoadException || ex instanceof dev.lowlight.data.image.ImageReadException
        || ex instanceof dev.lowlight.model.weights.WeightsException
        || ex instanceof dev.lowlight.model.io.ModelDirectoryException
        || ex instanceof dev.lowlight.data.coco.CocoFormatException;
  }

  private static String message(Exception ex) {
    if (ex instanceof NoSuchFileException e) {
      return e.getFile() + ": no such file or directory";
    }
    if (ex instanceof AccessDeniedException e) {
      return e.getFile() + ": permission denied";
    }
    if (ex instanceof FileSystemException e && e.getFile() != null) {
      return e.getFile() + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
    }
    return ex.getMessage() == null ? ex.toString() : ex.getMessage();
  }
}
