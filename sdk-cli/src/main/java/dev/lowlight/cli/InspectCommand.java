package dev.lowlight.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lowlight.api.config.BoundPlugin;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.model.DenoiserReports;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.model.io.ModelDirectoryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight inspect}: what a model directory holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Print a model's plugins and versions, parameter counts per module, and what each denoiser",
        "reports about itself (its gates or blend weights, such as the weighted non-local block's w)."})
final class InspectCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, converter = ModelPath.class,
      description = "The model directory, or zoo:NAME.")
  Path model;

  @Option(names = "--allow-non-finite", description = "Load weights holding NaN or infinite values (for debugging a diverged run).")
  boolean allowNonFinite;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn m;
      try {
        m = ModelDirectory.load(model, dev.lowlight.api.registry.PluginRegistry.load(), manager, allowNonFinite);
      } catch (ModelDirectoryException | ConfigException e) {
        throw new UserError(e.getMessage());
      }
      out.printf("%s: %d classes %s%n", model, m.config().numClasses(), m.config().classNames());
      for (Map.Entry<String, BoundPlugin> e : m.plugins().entrySet()) {
        out.printf("  %-20s %-20s %-8s %s%n", e.getKey(), e.getValue().descriptor().name(),
            e.getValue().descriptor().version(), e.getValue().options());
      }
      if (m.config().denoise().enabled()) {
        out.println("  denoisers after " + m.config().denoise().stages());
      }
      Map<String, long[]> modules = new LinkedHashMap<>();
      for (Map.Entry<String, Parameter> e : TorchNames.parameters(m.parameters()).entrySet()) {
        String module = module(e.getKey());
        long[] c = modules.computeIfAbsent(module, k -> new long[2]);
        long n = e.getValue().getArray().size();
        c[0] += n;
        if (e.getValue().requiresGradient()) {
          c[1] += n;
        }
      }
      out.printf(Locale.ROOT, "%-18s %14s %14s%n", "module", "parameters", "trainable");
      modules.forEach((k, c) -> out.printf(Locale.ROOT, "%-18s %,14d %,14d%n", k, c[0], c[1]));
      // what each denoiser reports about itself (DenoisingBlock.inspect), whatever plugin it comes from
      DenoiserReports.of(m).forEach((path, report) -> {
        if (report.isEmpty()) {
          out.printf("%s reports nothing (its plugin does not implement DenoisingBlock.inspect)%n", path);
        }
        report.forEach((k, v) -> out.printf(Locale.ROOT, "%s.%s = %.6f%n", path, k, v));
      });
    }
    return 0;
  }

  private static String module(String name) {
    for (String prefix : new String[] {"backbone.body", "backbone.denoise", "backbone.fpn", "rpn", "roi_heads"}) {
      if (name.startsWith(prefix + ".")) {
        return prefix;
      }
    }
    return name.substring(0, Math.max(0, name.indexOf('.')));
  }
}
