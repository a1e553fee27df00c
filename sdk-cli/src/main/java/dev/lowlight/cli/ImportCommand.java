package dev.lowlight.cli;

import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.model.io.ImportReport;
import dev.lowlight.model.io.TorchvisionImport;
import dev.lowlight.model.weights.WeightsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight import}: a torchvision Mask R-CNN checkpoint into a model directory. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Convert a torchvision Mask R-CNN checkpoint (.pth, zip or legacy format, read without Python",
        "and without running any code from the file) into a lowlight model directory (config.yaml +",
        "model.safetensors + model.json). Both torchvision key spellings are accepted; the number of classes",
        "comes from the checkpoint (COCO's names for 91)."})
final class ImportCommand implements Callable<Integer> {

  @Option(names = "--torchvision", required = true, description = "The torchvision checkpoint, e.g. maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth.")
  Path pth;

  @Option(names = "--output", required = true, description = "The model directory to write.")
  Path output;

  @Option(names = "--config", description = "Architecture settings to start from (default: torchvision's maskrcnn_resnet50_fpn).")
  Path config;

  @Option(names = "--non-strict", description = "Report missing and unexpected keys instead of failing.")
  boolean nonStrict;

  @Option(names = "--allow-non-finite", description = "Import tensors holding NaN or infinite values (for debugging a diverged run).")
  boolean allowNonFinite;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(pth)) {
      throw new UserError(pth + ": no such checkpoint file");
    }
    ModelConfig base;
    try {
      base = config == null ? ModelConfig.defaults() : ConfigLoader.load(config);
    } catch (ConfigException e) {
      throw new UserError(e.getMessage());
    }
    ImportReport r;
    try {
      r = TorchvisionImport.maskRcnn(pth, output, base, !nonStrict, allowNonFinite);
    } catch (WeightsException | ConfigException e) {
      throw new UserError(e.getMessage());
    }
    spec.commandLine().getOut().println(r.describe());
    return 0;
  }
}
