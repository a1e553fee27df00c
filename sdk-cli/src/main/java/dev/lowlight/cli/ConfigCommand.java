package dev.lowlight.cli;

import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.config.PluginResolver;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.api.registry.PluginRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lowlight config}: check a configuration file or print the defaults. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Check a model configuration, or print the defaults (torchvision's maskrcnn_resnet50_fpn).",
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Defaults.class})
final class ConfigCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Validate FILE (JSON or YAML): keys, types, ranges, plugin names and plugin options.")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The configuration file.")
    Path file;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      ModelConfig config;
      try {
        config = ConfigLoader.load(file);
      } catch (ConfigException e) {
        throw new UserError(e.getMessage());
      }
      List<ConfigException> problems = new java.util.ArrayList<>(PluginResolver.problems(config, PluginRegistry.load()));
      try {
        config.solver().requireStepsBeforeMaxIters();
      } catch (ConfigException e) {
        problems.add(e);
      }
      if (problems.isEmpty()) {
        try {
          // what only the plugins know (the backbone's stage names, the neck's levels against the
          // anchors): building the blocks allocates no weights
          MaskRcnn.builder().setConfig(config).build();
        } catch (ConfigException e) {
          problems.add(e);
        }
      }
      if (!problems.isEmpty()) {
        PrintWriter err = spec.commandLine().getErr();
        problems.forEach(p -> err.println("lowlight: error: " + file + ": " + p.getMessage()));
        return 2;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%s: valid (%d classes)%n", file, config.numClasses());
      PluginResolver.resolve(config, PluginRegistry.load()).forEach((path, b) -> out.printf("  %-20s %s %s %s%n",
          path, b.descriptor().name(), b.descriptor().version(), b.options()));
      return 0;
    }
  }

  @Command(name = "defaults", mixinStandardHelpOptions = true, description = "Print the default configuration as YAML.")
  static final class Defaults implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      // YAML comments, so the output still parses as a configuration.
      spec.commandLine().getOut().print("# solver.steps: null places the rate steps at 2/3 and 8/9 of max_iters;\n"
          + "# solver.trainable: all, backbone-only, backbone-fpn or heads-only\n"
          + ConfigLoader.toYaml(ModelConfig.defaults()));
    }
  }
}
