package dev.lowlight.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.lowlight.model.weights.DType;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.TensorData;
import dev.lowlight.train.checkpoint.CheckpointState;
import dev.lowlight.train.checkpoint.Checkpoints;
import dev.lowlight.train.optim.LrSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsAndScheduleTest {

  @TempDir
  Path tmp;

  private static StateDict weights(float v) {
    return new StateDict(Map.of("a.weight", TensorData.ofFloats(DType.FLOAT32, new long[] {2}, new float[] {v, -v})));
  }

  private static CheckpointState state(int it) {
    return new CheckpointState(it, it * 2L, 7, "sgd", 0.01, -1, -1, it, List.of());
  }

  @Test
  void leftoversOfAnInterruptedWriteAreIgnoredAndTheLastCompleteCheckpointLoads() throws Exception {
    Checkpoints c = new Checkpoints(tmp, 2);
    c.write(state(1), weights(1), weights(0));
    c.write(state(2), weights(2), weights(0));
    // a crash mid-write leaves a temporary directory with a half file, and a directory without state
    Path half = Files.createDirectories(tmp.resolve(".ckpt-00000003.tmp"));
    Files.write(half.resolve(Checkpoints.WEIGHTS), new byte[] {1, 2, 3});
    Files.createDirectories(tmp.resolve("ckpt-00000004"));
    Path latest = c.latest().orElseThrow();
    assertThat(latest.getFileName().toString()).isEqualTo("ckpt-00000002");
    assertThat(half).doesNotExist();
    Checkpoints.Loaded l = Checkpoints.read(latest);
    assertThat(l.state().dataPosition()).isEqualTo(4);
    assertThat(l.weights().get("a.weight").toFloatArray()).containsExactly(2f, -2f);
    assertThatThrownBy(() -> Checkpoints.read(tmp.resolve("ckpt-00000004"))).hasMessageContaining("state.json");
  }

  @Test
  void keepsTheLastNAndTheBest() throws Exception {
    Checkpoints c = new Checkpoints(tmp, 2);
    Path first = c.write(state(1), weights(1), weights(0));
    c.markBest(first, 0.5, 1);
    for (int i = 2; i <= 5; i++) {
      c.write(state(i), weights(i), weights(0));
    }
    assertThat(c.list()).extracting(p -> p.getFileName().toString())
        .containsExactly("ckpt-00000001", "ckpt-00000004", "ckpt-00000005");
    assertThat(c.best().orElseThrow().checkpoint()).isEqualTo("ckpt-00000001");
  }

  @Test
  void warmupThenMultistepOrCosineAsTorchvisionAndDetectron2() {
    LrSchedule m = new LrSchedule(0.02, "multistep", List.of(8, 11), 0.1, 4, 0.001, 12);
    assertThat(m.lr(0)).isCloseTo(0.02 * 0.001, within(1e-12));
    assertThat(m.lr(2)).isCloseTo(0.02 * (0.001 * 0.5 + 0.5), within(1e-12));
    assertThat(m.lr(4)).isCloseTo(0.02, within(1e-12));
    assertThat(m.lr(8)).isCloseTo(0.002, within(1e-12));
    assertThat(m.lr(11)).isCloseTo(0.0002, within(1e-12));
    LrSchedule c = new LrSchedule(1.0, "cosine", List.of(), 0.1, 0, 1, 10);
    assertThat(c.lr(0)).isCloseTo(1.0, within(1e-12));
    assertThat(c.lr(5)).isCloseTo(0.5, within(1e-12));
    assertThat(c.lr(10)).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void defaultStepsDecayTheRateAtTwoThirdsAndEightNinthsOfTheRun() {
    // README's recipe: 20,000 iterations, steps not given (they used to stay at 60,000 and 80,000).
    LrSchedule s = LrSchedule.fromConfig(dev.lowlight.api.config.ConfigLoader.parse(
        "solver: {base_lr: 0.01, max_iters: 20000}\n", true).solver());
    assertThat(s.steps()).containsExactly(13_333, 17_778);
    assertThat(s.lr(13_332)).isCloseTo(0.01, within(1e-12));
    assertThat(s.lr(13_333)).isCloseTo(0.001, within(1e-12));
    assertThat(s.lr(19_999)).isCloseTo(0.0001, within(1e-12));
  }

  @Test
  void devicesParseAndUnknownOnesAreNamed() {
    assertThat(Devices.parse("cpu")).isEqualTo(Device.cpu());
    assertThat(Devices.parse("auto")).isNotNull();
    assertThatThrownBy(() -> Devices.parse("gpu:99")).hasMessageContaining("gpu:99");
    assertThatThrownBy(() -> Devices.parse("tpu")).hasMessageContaining("valid: auto, cpu, gpu, gpu:N");
  }
}
