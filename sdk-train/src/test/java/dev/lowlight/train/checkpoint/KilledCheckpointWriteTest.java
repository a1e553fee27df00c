package dev.lowlight.train.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.model.weights.DType;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A checkpoint write stopped at each of its steps, as a kill would stop it (the write does no
 * clean-up of its own, so an error thrown there leaves the files as a kill does): the next run
 * finds a complete checkpoint, never a half one, and never loses the one it had.
 */
class KilledCheckpointWriteTest {

  @TempDir Path dir;

  /** What the hook throws: the process "dies" here. */
  private static final class Killed extends Error {
    private static final long serialVersionUID = 1L;
  }

  private static CheckpointState state(int iteration) {
    return new CheckpointState(iteration, iteration * 2L, 7, "sgd", 0.01, -1, -1, iteration, List.of());
  }

  private static StateDict weights(float value) {
    return new StateDict(Map.of("w", TensorData.ofFloats(DType.FLOAT32, new long[] {3}, new float[] {value, value,
        value})));
  }

  @ParameterizedTest
  @ValueSource(strings = {"written", "set-aside", "published"})
  void aWriteKilledAtAnyStepLeavesAWholeCheckpoint(String step) throws IOException {
    Checkpoints first = new Checkpoints(dir, 3);
    first.write(state(10), weights(1f), weights(0f));
    // "written" is met by a new iteration too; the other steps only when an iteration is written again
    int iteration = step.equals("written") ? 20 : 10;
    first.onStep(s -> {
      if (s.equals(step)) {
        throw new Killed();
      }
    });
    assertThatThrownBy(() -> first.write(state(iteration), weights(2f), weights(0f))).isInstanceOf(Killed.class);

    Checkpoints next = new Checkpoints(dir, 3);
    Optional<Path> latest = next.latest();
    assertThat(latest).as("a checkpoint survives a kill at %s", step).isPresent();
    Checkpoints.Loaded loaded = Checkpoints.read(latest.get());
    float expected = step.equals("published") ? 2f : 1f;
    assertThat(loaded.state().iteration()).isEqualTo(10);
    assertThat(loaded.weights().get("w").toFloatArray()).containsExactly(expected, expected, expected);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("nothing left of the interrupted write")
          .noneMatch(n -> n.startsWith("."));
    }
  }
}
