package dev.lowlight.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.data.image.ImageReadException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelErrorsTest {

  @TempDir Path dir;

  @Test
  void corruptedFileNamesTheFile() throws Exception {
    Path bad = dir.resolve("corrupt.onnx");
    byte[] junk = new byte[4096];
    new SplittableRandom(1).nextBytes(junk);
    Files.write(bad, junk);
    assertThatThrownBy(() -> LowlightPredictor.open(bad)).isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("cannot load model " + bad + ": not a valid ONNX model")
        .hasMessageContaining("corrupted or truncated")
        .satisfies(e -> assertThat(((ModelLoadException) e).file()).isEqualTo(bad));
  }

  @Test
  void truncatedFileNamesTheFile() throws Exception {
    byte[] whole = Files.readAllBytes(ContractModels.dynamic(dir));
    for (int keep : new int[] {whole.length / 2, whole.length - 7, 20}) {
      Path cut = dir.resolve("truncated-" + keep + ".onnx");
      Files.write(cut, Arrays.copyOf(whole, keep));
      assertThatThrownBy(() -> LowlightPredictor.open(cut)).as("kept %d of %d bytes", keep, whole.length)
          .isInstanceOf(ModelLoadException.class)
          .hasMessageStartingWith("cannot load model " + cut + ": ")
          .hasMessageContaining("corrupted or truncated");
    }
  }

  @Test
  void modelFromAnotherToolSaysWhatIsWrong() throws Exception {
    Path foreign = ContractModels.foreign(dir);
    assertThatThrownBy(() -> LowlightPredictor.open(foreign)).isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("cannot load model " + foreign + ": not a lowlight model")
        .hasMessageContaining("input 'image' is missing")
        .hasMessageContaining("output 'boxes' is missing")
        .hasMessageContaining("'input_1' FLOAT[1, 224, 224, 3]");
  }

  @Test
  void unreadableImageNamesTheFile() throws Exception {
    Path model = ContractModels.dynamic(dir);
    Path image = dir.resolve("broken.png");
    Files.write(image, "this is not a PNG".getBytes(StandardCharsets.UTF_8));
    Path missing = dir.resolve("missing.jpg");
    try (LowlightPredictor p = LowlightPredictor.open(model)) {
      assertThatThrownBy(() -> p.predict(image)).isInstanceOf(ImageReadException.class)
          .hasMessageStartingWith("cannot read image " + image);
      assertThatThrownBy(() -> p.predict(missing)).isInstanceOf(ImageReadException.class)
          .hasMessageContaining(missing.toString());
    }
  }

  @Test
  void missingEmptyAndFolderAreNamed() throws Exception {
    Path missing = dir.resolve("nope.onnx");
    assertThatThrownBy(() -> LowlightPredictor.open(missing)).isInstanceOf(ModelLoadException.class)
        .hasMessage("cannot load model " + missing + ": the file does not exist");
    Path empty = Files.createFile(dir.resolve("empty.onnx"));
    assertThatThrownBy(() -> LowlightPredictor.open(empty)).hasMessage("cannot load model " + empty
        + ": the file is empty");
    assertThatThrownBy(() -> LowlightPredictor.open(dir)).hasMessageContaining("it is a folder");
  }

  @Test
  void newerContractAndBadClassNamesAreRefused() throws Exception {
    Map<String, String> meta = ContractModels.metadata();
    meta.put("lowlight_contract", "2");
    Path v2 = ContractModels.withMetadata(dir.resolve("v2.onnx"), meta);
    assertThatThrownBy(() -> LowlightPredictor.open(v2)).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(v2.toString()).hasMessageContaining("contract version 2");
    meta = ContractModels.metadata();
    meta.put("class_names", "{not json");
    Path badNames = ContractModels.withMetadata(dir.resolve("names.onnx"), meta);
    assertThatThrownBy(() -> LowlightPredictor.open(badNames)).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(badNames.toString()).hasMessageContaining("class_names");
  }

  @Test
  void missingClassNamesFallBackToLabels() throws Exception {
    Map<String, String> meta = ContractModels.metadata();
    meta.remove("class_names");
    Path file = ContractModels.withMetadata(dir.resolve("nonames.onnx"), meta);
    try (LowlightPredictor p = LowlightPredictor.open(file)) {
      assertThat(p.predict(ContractModels.uniform(8, 8, 0.5f), 8, 8).instances().get(0).className())
          .isEqualTo("class_3");
    }
  }

  @Test
  void cudaWithoutProviderFailsClearlyAndAutoFallsBackWithOneWarning() throws Exception {
    Path model = ContractModels.dynamic(dir);
    org.junit.jupiter.api.Assumptions.assumeFalse(
        ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA),
        "this ONNX Runtime has the CUDA provider; the CPU-build messages cannot be checked");
    assertThatThrownBy(() -> LowlightPredictor.open(model, PredictorOptions.builder().optDevice("cuda:0").build()))
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessageContaining(model.toString())
        .hasMessageContaining("no CUDA execution provider")
        .hasMessageContaining("com.microsoft.onnxruntime:onnxruntime_gpu:" + ai.onnxruntime.OrtEnvironment
            .getEnvironment().getVersion())
        .hasMessageContaining("instead of com.microsoft.onnxruntime:onnxruntime").hasMessageNotContaining("-Pgpu");
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try (LowlightPredictor p = LowlightPredictor.open(model, PredictorOptions.builder().optDevice("auto").build())) {
        assertThat(p.provider()).isEqualTo("CPU");
        assertThat(p.predict(ContractModels.uniform(8, 8, 0.5f), 8, 8).size()).isEqualTo(3);
      }
    } finally {
      System.setErr(saved);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log.lines().filter(l -> l.contains("WARN dev.lowlight")).toList()).singleElement().asString()
        .contains("CUDA is not usable").contains("no CUDA execution provider").contains("on the CPU");
  }
}
