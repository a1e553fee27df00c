package dev.lowlight.cli;

import dev.lowlight.api.registry.PluginDescriptor;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.OptionInfo;
import dev.lowlight.api.spi.PluginKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lowlight plugins}: every discovered plugin with its versions, jar and options. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = {"List every plugin found on the classpath: kind, name, version, the SPI version it was",
        "built for, the jar it came from, what it does and its options.",
        "Add a plugin by putting its jar on the classpath (e.g. LOWLIGHT_CLASSPATH=my-plugin.jar bin/lowlight ...).",
        "Refused plugins, and LOWLIGHT_CLASSPATH entries that are missing or provide no plugin, are listed on",
        "standard error and make the exit code 1."})
final class PluginsCommand implements Callable<Integer> {

  @Option(names = "--kind", description = "Only this kind: ${COMPLETION-CANDIDATES}.")
  PluginKind kind;

  @Option(names = "--brief", description = "One line per plugin, without options.")
  boolean brief;

  @Option(names = "--paths", description = "Show the full path of each plugin's jar.")
  boolean paths;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PluginRegistry registry = PluginRegistry.load();
    List<PluginDescriptor> list = kind == null ? registry.list() : registry.list(kind);
    String format = "%-12s %-20s %-9s %-4s %-28s %s%n";
    out.printf(format, "KIND", "NAME", "VERSION", "SPI", "JAR", "DESCRIPTION");
    for (PluginDescriptor d : list) {
      String jar = paths ? d.source() : Path.of(d.source()).getFileName().toString();
      out.printf(format, d.kind().label(), d.name(), d.version(), d.spiVersion(), jar, d.description());
      if (!brief) {
        for (OptionInfo o : d.options()) {
          out.printf("    %-22s %-14s default %-10s %s%s%n", o.key(), o.type(), o.defaultValue(), o.description(),
              o.allowed().isEmpty() || o.description().contains(o.allowed()) ? "" : " " + o.allowed());
        }
      }
    }
    out.printf("%d plugins%n", list.size());
    List<String> problems = registry.problems();
    PrintWriter err = spec.commandLine().getErr();
    if (!problems.isEmpty()) {
      err.println("Refused plugins:");
      problems.forEach(p -> err.println("  " + p));
    }
    // a plugin jar that gives nothing (missing, or without a service file) must not pass in silence
    List<String> warnings = registry.warnings();
    if (!warnings.isEmpty()) {
      err.println("Plugin jars that provide nothing:");
      warnings.forEach(w -> err.println("  " + w));
    }
    return problems.isEmpty() && warnings.isEmpty() ? 0 : 1;
  }
}
