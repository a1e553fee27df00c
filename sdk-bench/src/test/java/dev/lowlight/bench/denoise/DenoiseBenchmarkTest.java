package dev.lowlight.bench.denoise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark runs end to end at a tiny size (its numbers are not asserted: they are machine-dependent). */
class DenoiseBenchmarkTest {

  @Test
  void runsAtTinySizeWithChunking() {
    List<DenoiseBenchmark.Row> rows = DenoiseBenchmark.run(64, 96, 1, 1 << 14);
    assertThat(rows).extracting(DenoiseBenchmark.Row::stage).containsExactly("res3", "res4", "res5");
    assertThat(rows.get(0)).extracting(DenoiseBenchmark.Row::channels, DenoiseBenchmark.Row::height,
        DenoiseBenchmark.Row::width).containsExactly(512, 8L, 12L);
    assertThat(rows.get(0).chunks()).isGreaterThan(1);
    assertThat(rows).allMatch(r -> r.wnlbForwardMs() > 0 && r.wnlbBackwardMs() > 0 && r.stageForwardMs() > 0);
    assertThat(DenoiseBenchmark.table(rows)).contains("| res5 | 2048x2x3 |");
  }

  @Test
  void estimateGrowsWithTheSquareOfPositions() {
    long small = DenoiseBenchmark.estimateBytes(512, 1000, 512L << 20);
    long large = DenoiseBenchmark.estimateBytes(512, 2000, 512L << 20);
    assertThat(large - small).isGreaterThan(4L * (2000L * 2000 - 1000L * 1000));
    assertThatThrownBy(() -> DenoiseBenchmark.run(10, 10, 1, 1 << 20)).hasMessageContaining("64x64");
  }
}
