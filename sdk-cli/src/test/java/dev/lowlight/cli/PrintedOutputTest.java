package dev.lowlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.export.ExportOptions;
import dev.lowlight.model.export.OnnxExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What the commands print reaches standard output as {@code bin/lowlight} runs them ({@link
 * Main#run}, on the process's own stream, not a test's writer): every {@code bench} subcommand at its
 * smallest settings prints its table, {@code config defaults} prints torchvision's defaults, and
 * every help text reads whole.
 */
class PrintedOutputTest {

  @TempDir Path dir;

  record Printed(int exit, String out, String err) {}

  /** Runs the command line as main does, on System.out and System.err. */
  static Printed main(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(o, false, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, false, StandardCharsets.UTF_8));
      exit = Main.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Printed(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  @Test
  void configDefaultsPrintsTorchvisionsDefaults() {
    Printed p = main("config", "defaults");
    assertThat(p.exit()).isZero();
    assertThat(p.out()).contains("num_classes: 91", "min_size: 800", "name: \"resnet50\"");
  }

  @Test
  void benchDenoiseSynthAndDataPrintTheirTables() {
    Printed denoise = main("bench", "denoise", "--height", "64", "--width", "64", "--iterations", "1");
    assertThat(denoise.exit()).as(denoise.err()).isZero();
    assertThat(denoise.out()).contains("res3", "res5");
    Printed synth = main("bench", "synth", "--preset", "maet", "--width", "32", "--height", "24", "--images", "1");
    assertThat(synth.exit()).as(synth.err()).isZero();
    assertThat(synth.out()).contains("MP/s", "maet");
    Printed data = main("bench", "data", "--width", "64", "--height", "48", "--decodes", "2", "--batches", "1");
    assertThat(data.exit()).as(data.err()).isZero();
    assertThat(data.out()).contains("decode 64x48 JPEG", "opencv", "imageio", "batches/s");
  }

  @Test
  void benchInferPrintsItsTableAndMemory() throws Exception {
    Path onnx = dir.resolve("small.onnx");
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(ConfigLoader.parse(ModelCommandsTest.SMALL, true)).build()
          .initialize(m);
      OnnxExporter.export(model, onnx, ExportOptions.defaults());
    }
    Printed infer = main("bench", "infer", "--model", onnx.toString(), "--height", "64", "--width", "64", "--warmup",
        "0", "--runs", "1", "--memory", "1,2", "--threads", "2");
    assertThat(infer.exit()).as(infer.err()).isZero();
    assertThat(infer.out()).contains("p50", "memory, 2 threads: resident after 1 predictions");
  }

  @Test
  @Tag("slow")
  void benchTrainPrintsItsTable() {
    Printed train = main("bench", "train", "--size", "64", "--batch", "1", "--warmup", "0", "--iterations", "1",
        "--breakdown", "1", "--leak-config", "demo", "--leak-iterations", "1,2");
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(train.out()).contains("leak check model: demo");
  }

  @Test
  void everyHelpTextReadsWhole() {
    List<String> problems = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), problems);
    assertThat(problems).isEmpty();
    String top = main("--help").out();
    String list = top.substring(top.indexOf("Commands:"));
    // each entry of the command list ends a sentence: nothing cut off after "the SPI version it was"
    for (String entry : list.split("\\R(?=  \\S)")) {
      if (!entry.startsWith("Commands:")) {
        assertThat(entry.strip()).as("command list entry").matches("(?s).*[.)]$");
      }
    }
  }

  /** Words of every description that the rendered help splits over two lines ("metrics." / "jsonl"). */
  private static void collect(CommandLine cl, List<String> path, List<String> problems) {
    String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    List<String> texts = new ArrayList<>(List.of(cl.getCommandSpec().usageMessage().description()));
    cl.getCommandSpec().options().forEach(o -> texts.addAll(List.of(o.description())));
    String flat = help.replaceAll("\\R\\s*", "\n");
    for (String text : texts) {
      for (String word : text.split("\\s+")) {
        for (int k = 1; k < word.length(); k++) {
          if (flat.contains(word.substring(0, k) + "\n" + word.substring(k)) && !help.contains(word)) {
            problems.add(String.join(" ", path) + ": '" + word + "' broken across lines");
          }
        }
      }
    }
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getValue().getCommandSpec().name().equals(e.getKey()) && !e.getKey().equals("help")) {
        List<String> sub = new ArrayList<>(path);
        sub.add(e.getKey());
        collect(e.getValue(), sub, problems);
      }
    }
  }
}
