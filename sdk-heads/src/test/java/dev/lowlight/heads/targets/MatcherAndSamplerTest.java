package dev.lowlight.heads.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.heads.Fixture;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Matcher} against torchvision's {@code det_utils.Matcher}, and the sampler's contract. */
class MatcherAndSamplerTest {

  @Test
  void matchesEqualTorchvisionOnIouAndTiedMatrices() {
    Fixture f = Fixture.load("losses/matcher");
    int cases = 0;
    for (JsonElement e : f.param("cases").getAsJsonArray()) {
      JsonObject c = e.getAsJsonObject();
      String matrix = c.get("matrix").getAsString();
      long[] shape = f.shape(matrix);
      Matcher m = new Matcher(c.get("high").getAsFloat(), c.get("low").getAsFloat(),
          c.get("allow_low_quality").getAsBoolean());
      int[] actual = m.match(f.floats(matrix), (int) shape[0], (int) shape[1]);
      assertThat(actual).as("case %s", c.get("key").getAsString()).containsExactly(f.ints(c.get("key")
          .getAsString(), true));
      cases++;
    }
    assertThat(cases).isEqualTo(8);
  }

  @Test
  void thresholdsGiveTheThreeCodesAndLowQualityMatchesRestoreTheBestGroundTruth() {
    // 2 gts x 4 predictions
    float[] q = {
        0.9f, 0.5f, 0.1f, 0.2f,
        0.1f, 0.6f, 0.2f, 0.25f};
    assertThat(new Matcher(0.7f, 0.3f, false).match(q, 2, 4)).containsExactly(0, -2, -1, -1);
    // gt 1's best is prediction 1 (0.6): restored to its own best gt, which is 1
    assertThat(new Matcher(0.7f, 0.3f, true).match(q, 2, 4)).containsExactly(0, 1, -1, -1);
    assertThat(new Matcher(0.5f, 0.5f, false).match(q, 2, 4)).containsExactly(0, 1, -1, -1);
  }

  @Test
  void badInputIsRejectedWithTheValues() {
    assertThatThrownBy(() -> new Matcher(0.3f, 0.7f, false)).hasMessageContaining("low 0.7");
    assertThatThrownBy(() -> new Matcher(0.7f, 0.3f, true).matchBoxes(new float[0], new float[] {0, 0, 1, 1}))
        .hasMessageContaining("no ground-truth boxes");
    assertThatThrownBy(() -> new Matcher(0.7f, 0.3f, true).match(new float[5], 2, 3))
        .hasMessageContaining("length 5 is not 2 x 3");
  }

  @Test
  void configsGiveTorchvisionsMatchersAndSamplers() {
    ModelConfig c = ModelConfig.defaults();
    assertThat(Matcher.rpn(c.rpn())).isEqualTo(new Matcher(0.7f, 0.3f, true));
    assertThat(Matcher.roi(c.roiHeads())).isEqualTo(new Matcher(0.5f, 0.5f, false));
    assertThat(BalancedPositiveNegativeSampler.rpn(c.rpn()).maxPositives()).isEqualTo(128);
    assertThat(BalancedPositiveNegativeSampler.roi(c.roiHeads())).isEqualTo(
        new BalancedPositiveNegativeSampler(512, 0.25));
  }

  @Test
  void samplerCapsPositivesFillsWithNegativesAndNeverPicksIgnored() {
    int[] labels = new int[1000];
    Arrays.fill(labels, 0, 300, 0);
    Arrays.fill(labels, 300, 500, -1);
    Arrays.fill(labels, 500, 1000, 2);
    var sampler = new BalancedPositiveNegativeSampler(256, 0.5);
    Sample s = sampler.sample(labels, new SplittableRandom(1));
    assertThat(s.positives()).hasSize(128);
    assertThat(Arrays.stream(s.positives()).map(i -> labels[i])).containsOnly(2);
    assertThat(s.negatives()).hasSize(128);
    assertThat(Arrays.stream(s.negatives()).map(i -> labels[i])).containsOnly(0);
    assertThat(s.all()).isSorted().doesNotHaveDuplicates();

    // few positives: negatives fill the batch
    int[] sparse = new int[400];
    sparse[7] = 1;
    sparse[9] = -1;
    Sample t = sampler.sample(sparse, new SplittableRandom(1));
    assertThat(t.positives()).containsExactly(7);
    assertThat(t.negatives()).hasSize(255).doesNotContain(9);
  }

  @Test
  void samplerIsDeterministicPerSeedAndUniformEnough() {
    int[] labels = new int[200];
    Arrays.fill(labels, 100, 200, 1);
    var sampler = new BalancedPositiveNegativeSampler(20, 0.5);
    Sample a = Sampling.seeded(5).sample(0, labels, sampler);
    assertThat(Sampling.seeded(5).sample(0, labels, sampler)).isEqualTo(a);
    assertThat(Sampling.seeded(6).sample(0, labels, sampler)).isNotEqualTo(a);
    int[] hits = new int[200];
    Sampling s = Sampling.seeded(9);
    for (int k = 0; k < 2000; k++) {
      for (int i : s.sample(0, labels, sampler).all()) {
        hits[i]++;
      }
    }
    // each index is drawn with probability 0.1: 200 of 2000 expected
    assertThat(Arrays.stream(hits).min().getAsInt()).isGreaterThan(140);
    assertThat(Arrays.stream(hits).max().getAsInt()).isLessThan(260);
  }

  @Test
  void givenSamplesAreCheckedAgainstTheLabels() {
    int[] labels = {1, 0, -1, 0};
    var sampler = new BalancedPositiveNegativeSampler(4, 0.5);
    Sampling given = Sampling.given(List.of(new Sample(new int[] {0}, new int[] {3, 1})));
    assertThat(given.sample(0, labels, sampler).negatives()).containsExactly(1, 3);
    assertThatThrownBy(() -> Sampling.given(List.of(new Sample(new int[] {2}, new int[0]))).sample(0, labels, sampler))
        .hasMessageContaining("positive 2 is labelled -1");
    assertThatThrownBy(() -> given.sample(1, labels, sampler)).hasMessageContaining("asked for image 1");
    assertThatThrownBy(() -> new Sample(new int[] {1}, new int[] {1})).hasMessageContaining("both");
    assertThatThrownBy(() -> new Sample(new int[] {1, 1}, new int[0])).hasMessageContaining("twice");
  }
}
