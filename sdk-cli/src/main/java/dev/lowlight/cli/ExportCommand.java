package dev.lowlight.cli;

import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.export.ExportOptions;
import dev.lowlight.model.export.ExportResult;
import dev.lowlight.model.export.ExportVerificationException;
import dev.lowlight.model.export.ExportVerifier;
import dev.lowlight.model.export.OnnxExporter;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.model.io.ModelDirectoryException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight export}: a model directory to one ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Export a model directory to one ONNX file (opset 17): float image 1x3xHxW (RGB 0..1) to boxes,",
        "labels, scores and 28x28 masks, with resizing, anchors, NMS and RoIAlign inside the graph and batch norms",
        "folded into convolutions. ONNX Runtime runs it on CPU or CUDA without PyTorch (sdk-runtime).",
        "Before the file is kept, ONNX Runtime and DJL run two images, block by block and end to end; a",
        "difference is an error naming the first block that differs and its plugin (--no-verify skips this)."})
final class ExportCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, converter = ModelPath.class,
      description = "A model directory (train, import) or zoo:NAME.")
  Path model;

  @Option(names = "--output", required = true, description = "The .onnx file to write.")
  Path output;

  @Option(names = "--static", paramLabel = "HxW", description = "A fixed input size instead of dynamic H and W.")
  String staticSize;

  @Option(names = "--no-verify", description = "Keep the file without checking it against the model.")
  boolean noVerify;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    ExportOptions options = ExportOptions.defaults();
    if (staticSize != null) {
      try {
        options = options.withStaticSize(staticSize);
      } catch (IllegalArgumentException e) {
        throw new UserError("--static: " + e.getMessage());
      }
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn m;
      try {
        m = ModelDirectory.load(model, manager);
      } catch (ModelDirectoryException | ConfigException e) {
        throw new UserError(e.getMessage());
      }
      long start = System.nanoTime();
      OnnxExporter.Built built = OnnxExporter.build(m, options);
      if (!noVerify) {
        try {
          ExportVerifier.verify(m, built.model(), options);
        } catch (ExportVerificationException e) {
          throw new UserError(model + ": the export was not written: " + e.getMessage()
              + " (--no-verify writes it anyway)", 1);
        }
      }
      ExportResult r = OnnxExporter.write(built, output, start);
      spec.commandLine().getOut().printf(Locale.ROOT, "%s: %,d bytes, %d nodes, %d batch norms folded, %d ms%n",
          r.file().toAbsolutePath(), r.bytes(), r.nodes(), r.foldedBatchNorms(), r.millis());
    }
    return 0;
  }
}
