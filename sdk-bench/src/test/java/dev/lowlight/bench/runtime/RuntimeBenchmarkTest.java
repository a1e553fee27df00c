package dev.lowlight.bench.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.runtime.ContractModels;
import dev.lowlight.runtime.PredictorOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeBenchmarkTest {

  @TempDir Path dir;

  @Test
  void measuresLatencyAndThroughput() throws Exception {
    Path model = ContractModels.dynamic(dir);
    RuntimeBenchmark.Result r = RuntimeBenchmark.run(new RuntimeBenchmark.Config(model, null, 64, 96, 2, 12, 2,
        true, PredictorOptions.builder().optIntraOpThreads(1).build()));
    assertThat(r.provider()).isEqualTo("CPU");
    assertThat(r.runs()).isEqualTo(12);
    assertThat(r.p50Ms()).isPositive().isLessThanOrEqualTo(r.p95Ms());
    assertThat(r.imagesPerSecond()).isPositive();
    assertThat(r.detections()).isEqualTo(3);
    assertThat(r.format()).contains("p50").contains("images/s").contains("64x96");
  }

  @Test
  void percentileIsNearestRank() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(RuntimeBenchmark.percentile(sorted, 0.5)).isEqualTo(5);
    assertThat(RuntimeBenchmark.percentile(sorted, 0.95)).isEqualTo(10);
    assertThat(RuntimeBenchmark.percentile(new long[] {7}, 0.95)).isEqualTo(7);
  }

  @Test
  void syntheticImageIsSeededAndCommandLineIsChecked() {
    assertThat(RuntimeBenchmark.synthetic(20, 30, 5).pixels()).containsExactly(
        RuntimeBenchmark.synthetic(20, 30, 5).pixels());
    assertThatThrownBy(() -> RuntimeBenchmark.main(new String[] {"--size", "800"}))
        .hasMessageContaining("HxW");
    assertThatThrownBy(() -> RuntimeBenchmark.main(new String[] {"--runs", "3"}))
        .hasMessageContaining("--model");
    assertThatThrownBy(() -> RuntimeBenchmark.main(new String[] {"--bogus"})).hasMessageContaining("--bogus");
  }
}
