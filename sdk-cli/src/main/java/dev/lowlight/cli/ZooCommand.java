package dev.lowlight.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.model.weights.DType;
import dev.lowlight.model.weights.Safetensors;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.TensorData;
import dev.lowlight.train.Validator;
import dev.lowlight.zoo.Manifest;
import dev.lowlight.zoo.ModelZoo;
import dev.lowlight.zoo.ZooModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowlight zoo}: the pretrained models on the class path, and how a zoo model is packed. */
@Command(name = "zoo", mixinStandardHelpOptions = true,
    description = {"The pretrained models shipped with the SDK (the sdk-zoo jar): name, size, validation AP.",
        "Any command that takes a model takes zoo:NAME (train --init zoo:scenes-r18, predict --model zoo:...)."},
    subcommands = {ZooCommand.Pack.class})
final class ZooCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<ZooModel> models = ModelZoo.list();
    if (models.isEmpty()) {
      out.println("no zoo models on the class path (add the sdk-zoo jar)");
      return 0;
    }
    out.printf(Locale.ROOT, "%-14s %9s %9s %10s %10s  %s%n", "name", "params", "weights", "clean AP50", "dark AP50",
        "description");
    for (ZooModel m : models) {
      Manifest f = m.manifest();
      out.printf(Locale.ROOT, "%-14s %8.1fM %7.1fMB %10s %10s  %s%n", m.name(), f.weights().parameters() / 1e6,
          f.weights().bytes() / 1e6, ap50(f, "clean"), ap50(f, "dark"), f.description());
    }
    out.println("use as zoo:NAME, e.g. lowlight train --init zoo:" + models.get(0).name() + " ...");
    return 0;
  }

  private static String ap50(Manifest f, String split) {
    var e = f.evaluation() == null ? null : f.evaluation().get(split);
    Double v = e == null || e.get("segm") == null ? null : e.get("segm").get("AP50");
    return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  /** {@code lowlight zoo pack}: a training run's model as a zoo model (half precision, manifest, evaluation). */
  @Command(name = "pack", mixinStandardHelpOptions = true,
      description = {"Packs a training run as a zoo model: OUTPUT/NAME/ with the weights in half precision, the",
          "configuration, and manifest.json (commands, seed, machine, SHA-256 of the weights, and segm/bbox AP of",
          "the half-precision weights on the validation sets given); adds NAME to OUTPUT/index.txt."})
  static final class Pack implements Callable<Integer> {

    @Option(names = "--run", required = true, description = "The run directory (lowlight train --output).")
    Path run;

    @Option(names = "--name", required = true, description = "The model's name in the zoo.")
    String name;

    @Option(names = "--description", required = true, description = "One line saying what the model is.")
    String description;

    @Option(names = "--output", required = true, description = "The zoo's resource folder (sdk-zoo/src/main/resources/lowlight-zoo).")
    Path output;

    @Option(names = "--command", description = "A command of the recipe, in order (repeat the option).")
    List<String> commands = new ArrayList<>();

    @Option(names = "--scenes", required = true, paramLabel = "W,H,MINOBJ,MAXOBJ,MINSIZE,MAXSIZE,TRAIN,TRAINSEED,VAL,VALSEED",
        description = "The procedural scenes the model was trained and validated on.")
    String scenes;

    @Option(names = "--val", paramLabel = "SPLIT=ANN.json,IMAGES", description = "A validation set to evaluate the packed"
        + " weights on, e.g. clean=val/annotations.json,val/images (repeat the option).")
    List<String> val = new ArrayList<>();

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Path model = run.resolve("model");
      Path dir = output.resolve(name);
      Files.createDirectories(dir);
      StateDict full = Safetensors.read(model.resolve(ModelDirectory.WEIGHTS));
      Map<String, TensorData> half = new LinkedHashMap<>();
      long parameters = 0;
      for (var e : full.tensors().entrySet()) {
        TensorData t = e.getValue();
        half.put(e.getKey(), t.isFloatingPoint() ? TensorData.ofFloats(DType.FLOAT16, t.shape(), t.floats()) : t);
        parameters += t.numel();
      }
      Path weights = dir.resolve(ModelDirectory.WEIGHTS);
      Safetensors.write(new StateDict(half, full.metadata()), weights);
      Files.copy(model.resolve(ModelDirectory.CONFIG), dir.resolve(ModelDirectory.CONFIG),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(model.resolve(ModelDirectory.DESCRIPTION), dir.resolve(ModelDirectory.DESCRIPTION),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);

      Map<String, Map<String, Map<String, Double>>> evaluation = new LinkedHashMap<>();
      try (NDManager manager = NDManager.newBaseManager()) {
        MaskRcnn packed = ModelDirectory.load(dir, manager);
        for (String v : val) {
          String[] kv = v.split("=", 2);
          String[] files = kv.length == 2 ? kv[1].split(",", 2) : new String[0];
          if (files.length != 2) {
            throw new UserError("--val " + v + ": expected SPLIT=ANN.json,IMAGES");
          }
          Validator.Result r = new Validator(CocoReader.readDataset(Path.of(files[0])), Path.of(files[1]))
              .evaluate(packed);
          Map<String, Map<String, Double>> split = new LinkedHashMap<>();
          split.put("bbox", r.bbox().stats().asMap());
          split.put("segm", r.segm().stats().asMap());
          evaluation.put(kv[0], split);
          spec.commandLine().getOut().printf(Locale.ROOT, "%s: segm AP50 %.3f, segm AP %.3f, bbox AP50 %.3f%n", kv[0],
              r.segm().stats().ap50(), r.segm().stats().ap(), r.bbox().stats().ap50());
        }
      }

      JsonNode runInfo = new ObjectMapper().readTree(run.resolve("run.json").toFile());
      String[] s = scenes.split(",");
      if (s.length != 10) {
        throw new UserError("--scenes needs 10 numbers, got " + scenes);
      }
      Manifest.Scenes sc = new Manifest.Scenes(Integer.parseInt(s[0]), Integer.parseInt(s[1]), Integer.parseInt(s[2]),
          Integer.parseInt(s[3]), Integer.parseInt(s[4]), Integer.parseInt(s[5]), Integer.parseInt(s[6]),
          Long.parseLong(s[7]), Integer.parseInt(s[8]), Long.parseLong(s[9]));
      JsonNode last = lastTrainLine(run.resolve("metrics.jsonl"));
      Manifest.Training training = new Manifest.Training(List.copyOf(commands), runInfo.path("seed").asLong(),
          // metrics.jsonl's "iteration" counts the steps completed, the last one included
          last == null ? 0 : last.path("iteration").asInt(), runInfo.path("training_seconds").asDouble(
              last == null ? 0 : last.path("time").asDouble()), runInfo.path("cpu").asText(""),
          runInfo.path("intra_op_threads").asInt(0), runInfo.path("sdk_version").asText(""),
          sha256(Files.readAllBytes(model.resolve(ModelDirectory.WEIGHTS))));
      byte[] packed = Files.readAllBytes(weights);
      Manifest manifest = new Manifest(name, description, new Manifest.Weights(ModelDirectory.WEIGHTS, "F16",
          sha256(packed), packed.length, parameters), sc, training, evaluation);
      Files.writeString(dir.resolve("manifest.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(manifest) + "\n");
      Path index = output.resolve("index.txt");
      List<String> names = Files.exists(index) ? new ArrayList<>(Files.readAllLines(index)) : new ArrayList<>();
      if (!names.contains(name)) {
        names.add(name);
        Files.write(index, names);
      }
      spec.commandLine().getOut().printf(Locale.ROOT, "packed %s: %s, %.1f MB (half precision), sha256 %s%n", name, dir,
          packed.length / 1e6, manifest.weights().sha256());
      return 0;
    }

    private static JsonNode lastTrainLine(Path metrics) throws IOException {
      JsonNode last = null;
      ObjectMapper json = new ObjectMapper();
      for (String line : Files.readAllLines(metrics)) {
        JsonNode n = json.readTree(line);
        if ("train".equals(n.path("type").asText())) {
          last = n;
        }
      }
      return last;
    }

    private static String sha256(byte[] bytes) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JVM has no SHA-256", e);
      }
    }
  }
}
