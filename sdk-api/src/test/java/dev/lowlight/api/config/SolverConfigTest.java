package dev.lowlight.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Schedule steps against {@code max_iters}, and the freeze policies a configuration may name. */
class SolverConfigTest {

  @Test
  void stepsNotGivenScaleWithMaxIters() {
    assertThat(ModelConfig.defaults().solver().steps()).isNull();
    assertThat(ModelConfig.defaults().solver().milestones()).as("Detectron2's 1x schedule").containsExactly(60_000,
        80_000);
    // README's recipe: 20,000 iterations used to inherit 60,000 and 80,000 and never decay.
    assertThat(ConfigLoader.parse("solver: {max_iters: 20000}\n", true).solver().milestones())
        .containsExactly(13_333, 17_778);
    assertThat(ConfigLoader.parse("solver: {max_iters: 10}\n", true).solver().milestones()).containsExactly(7, 9);
    assertThat(ConfigLoader.parse("solver: {max_iters: 1}\n", true).solver().milestones()).containsExactly(1, 1);
  }

  @Test
  void stepsGivenAreKeptAndSurviveARoundTrip() {
    ModelConfig c = ConfigLoader.parse("solver: {max_iters: 100, steps: [50, 90]}\n", true);
    assertThat(c.solver().milestones()).containsExactly(50, 90);
    assertThat(ConfigLoader.parse(ConfigLoader.toYaml(c), true)).isEqualTo(c);
    ModelConfig scaled = ConfigLoader.parse("solver: {max_iters: 300}\n", true);
    assertThat(ConfigLoader.parse(ConfigLoader.toYaml(scaled), true)).isEqualTo(scaled);
    assertThat(ConfigLoader.parse(ConfigLoader.toJson(scaled), false).solver().milestones()).containsExactly(200, 267);
  }

  @Test
  void stepsAtOrBeyondMaxItersAreAnErrorWhenTrainingNamingKeyAndValues() {
    ModelConfig inherited = ConfigLoader.parse("solver: {max_iters: 20000, steps: [60000, 80000]}\n", true);
    assertThatThrownBy(() -> inherited.solver().requireStepsBeforeMaxIters())
        .isInstanceOf(ConfigException.class).hasMessageContaining("solver.steps")
        .hasMessageContaining("[60000, 80000]").hasMessageContaining("max_iters (20000)")
        .hasMessageContaining("[13333, 17778]");
    assertThatThrownBy(() -> ConfigLoader.parse("solver: {max_iters: 100, steps: [50, 100]}\n", true).solver()
        .requireStepsBeforeMaxIters()).isInstanceOf(ConfigException.class).hasMessageContaining("solver.steps")
        .hasMessageContaining("[50, 100]");
    // Reading is not training: a model directory saved with such steps still loads for inference.
    assertThat(inherited.solver().maxIters()).isEqualTo(20000);
    // Cosine ignores steps.
    ConfigLoader.parse("solver: {schedule: cosine, max_iters: 100, steps: [60000, 80000]}\n", true).solver()
        .requireStepsBeforeMaxIters();
    ConfigLoader.parse("solver: {max_iters: 100, steps: [50, 90]}\n", true).solver().requireStepsBeforeMaxIters();
  }

  @Test
  void backboneFpnIsAFreezePolicy() {
    assertThat(ConfigLoader.parse("solver: {trainable: backbone-fpn}\n", true).solver().trainable())
        .isEqualTo("backbone-fpn");
    assertThatThrownBy(() -> ConfigLoader.parse("solver: {trainable: fpn-only}\n", true))
        .isInstanceOf(ConfigException.class).hasMessageContaining("solver.trainable")
        .hasMessageContaining("backbone-fpn");
  }
}
