package dev.lowlight.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.onnx.Dim;
import dev.lowlight.api.onnx.OnnxGraphBuilder;
import dev.lowlight.api.onnx.OnnxType;
import dev.lowlight.api.registry.PluginDescriptor;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.PluginKind;
import dev.lowlight.api.spi.SynthesizerProvider;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.image.PairGrid;
import dev.lowlight.data.scenes.SceneGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lowlight demo}: the quickstart. It runs the pipeline that exists in this build: it
 * generates the procedural scene dataset, makes its low-light twin with the default synthesizer
 * and writes a picture of clean/dark pairs, then builds every denoising block on a feature map,
 * runs it with DJL, exports it to ONNX, runs that with ONNX Runtime and reports how the two agree.
 * Training, evaluation and the exported detector join here as those stages land.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"The quickstart: run the lowlight pipeline end to end on this machine and print",
        "where each artifact is. Writes OUTPUT/summary.json."})
final class DemoCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

  @Option(names = "--output", defaultValue = "demo-output", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--channels", defaultValue = "64", description = "Channels of the demo feature map (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(names = "--size", defaultValue = "32", description = "Side of the demo feature map (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--images", defaultValue = "40", description = "Images in the demo dataset (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the dataset and its low-light twin (default: ${DEFAULT-VALUE}).")
  long seed;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, OrtException {
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    Files.createDirectories(output);
    PluginRegistry registry = PluginRegistry.load();
    LOG.info("engine {} {} on {}; {} plugins", Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
        Device.cpu(), registry.list().size());
    List<PluginDescriptor> denoisers = registry.list(PluginKind.DENOISER);
    if (denoisers.isEmpty()) {
      throw new UserError("no denoiser plugins on the classpath; `lowlight plugins` lists what was found");
    }
    Map<String, Object> data = makeData();
    Map<String, Object> results = new LinkedHashMap<>();
    Shape shape = new Shape(1, channels, size, size);
    try (ProgressBar bar = new ProgressBar("denoisers", denoisers.size());
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      for (PluginDescriptor d : denoisers) {
        results.put(d.name(), runDenoiser((DenoiserProvider<?>) d.provider(), manager, shape));
        bar.step(1, d.name());
      }
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("data", data);
    summary.put("feature_map", shape.toString());
    summary.put("denoisers", results);
    summary.put("seconds", (System.nanoTime() - started) / 1e9);
    Path file = output.resolve("summary.json");
    Files.writeString(file, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(summary));
    out.printf(Locale.ROOT, "%-22s %12s %12s %14s%n", "denoiser", "DJL ms", "ORT ms", "max |diff|");
    results.forEach((name, r) -> {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) r;
      out.printf(Locale.ROOT, "%-22s %12.2f %12.2f %14.3g%n", name, m.get("djl_ms"), m.get("ort_ms"), m.get("max_abs_diff"));
    });
    out.println("clean data:  " + data.get("clean"));
    out.println("low light:   " + data.get("dark"));
    out.println("pairs:       " + data.get("pairs"));
    out.println("ONNX models: " + output.toAbsolutePath());
    out.println("summary:     " + file.toAbsolutePath());
    return 0;
  }

  /** The procedural dataset, its low-light twin and a picture of four pairs. */
  private Map<String, Object> makeData() throws IOException {
    Path clean = output.resolve("data/clean");
    Path dark = output.resolve("data/dark");
    Path pairs = output.resolve("pairs.png");
    SceneGenerator generator = SceneGenerator.builder().build();
    CocoDataset ds;
    try (ProgressBar bar = new ProgressBar("scenes", images)) {
      ds = SceneDataset.write(clean, images, seed, generator, (done, total) -> bar.step(1, ""));
    }
    @SuppressWarnings("unchecked")
    SynthesizerProvider<Record> maet = (SynthesizerProvider<Record>) PluginRegistry.load().synthesizer("maet");
    LowLightTwin.Summary twin;
    try (ProgressBar bar = new ProgressBar("low light", images)) {
      twin = LowLightTwin.make(clean.resolve(SceneDataset.ANNOTATIONS), clean.resolve(SceneDataset.IMAGES), dark,
          new LowLightTwin.Synthesis("maet", maet.defaultOptions(), maet.create(maet.defaultOptions())), seed,
          Runtime.getRuntime().availableProcessors(), (done, total) -> bar.step(1, ""));
    }
    List<RgbImage> c = new ArrayList<>();
    List<RgbImage> d = new ArrayList<>();
    for (int i = 0; i < Math.min(4, ds.images().size()); i++) {
      String name = ds.images().get(i).fileName();
      c.add(ImageFiles.read(clean.resolve(SceneDataset.IMAGES).resolve(name)));
      d.add(ImageFiles.read(dark.resolve(SceneDataset.IMAGES).resolve(name)));
    }
    PairGrid.write(c, d, pairs);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("images", ds.images().size());
    m.put("objects", ds.annotations().size());
    m.put("clean", clean.resolve(SceneDataset.ANNOTATIONS).toAbsolutePath().toString());
    m.put("dark", dark.resolve(SceneDataset.ANNOTATIONS).toAbsolutePath().toString());
    m.put("synthesis", twin.sidecar().toAbsolutePath().toString());
    m.put("pairs", pairs.toAbsolutePath().toString());
    return m;
  }

  private <O extends Record> Map<String, Object> runDenoiser(DenoiserProvider<O> provider, NDManager parent, Shape shape)
      throws IOException, OrtException {
    O options = ConfigLoader.bind(provider, Map.of(), provider.name());
    DenoisingBlock block = provider.create(options, (int) shape.get(1));
    try (NDManager manager = parent.newSubManager()) {
      block.initialize(manager, DataType.FLOAT32, shape);
      NDArray x = manager.randomNormal(shape);
      long t0 = System.nanoTime();
      NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
      double djlMs = (System.nanoTime() - t0) / 1e6;

      OnnxGraphBuilder g = new OnnxGraphBuilder(provider.name());
      String in = g.input("x", OnnxType.FLOAT, Dim.dynamic("N"), Dim.of(shape.get(1)), Dim.dynamic("H"), Dim.dynamic("W"));
      g.output(block.lower(g.root(), List.of(in)).get(0), "y", OnnxType.FLOAT);
      g.metadata("denoiser", provider.name() + " " + provider.version());
      Path model = output.resolve(provider.name() + ".onnx");
      g.save(model);

      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
          OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), shape.getShape())) {
        long t1 = System.nanoTime();
        try (OrtSession.Result r = session.run(Map.of("x", tensor))) {
          double ortMs = (System.nanoTime() - t1) / 1e6;
          FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
          float[] expected = y.toFloatArray();
          double maxDiff = 0;
          for (float e : expected) {
            maxDiff = Math.max(maxDiff, Math.abs(fb.get() - e));
          }
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("version", provider.version());
          m.put("djl_ms", djlMs);
          m.put("ort_ms", ortMs);
          m.put("max_abs_diff", maxDiff);
          m.put("onnx", model.toString());
          return m;
        }
      }
    }
  }
}
