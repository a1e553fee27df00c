package dev.lowlight.bench.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.runtime.ContractModels;
import dev.lowlight.runtime.PredictorOptions;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory readings of {@code lowlight bench infer --memory}: taken when asked, reported only when meaningful. */
class ReferenceBenchmarkTest {

  @TempDir Path dir;

  @Test
  void memoryReadingsAreTakenAfterEachCount() throws Exception {
    Path model = ContractModels.dynamic(dir);
    RgbImage image = RuntimeBenchmark.synthetic(48, 64, 1000);
    ReferenceBenchmark.Memory m = ReferenceBenchmark.memory(model, image, 5, 20, 4, PredictorOptions.defaults());
    assertThat(m.first()).isEqualTo(5);
    assertThat(m.second()).isEqualTo(20);
    assertThat(m.threads()).isEqualTo(4);
    assertThat(m.rssFirst()).isPositive();
    assertThat(m.rssSecond()).isPositive();
    assertThat(m.format()).contains("4 threads", "after 5 predictions", "after 20");
    assertThatThrownBy(() -> ReferenceBenchmark.memory(model, image, 20, 20, 1, PredictorOptions.defaults()))
        .hasMessageContaining("N1 < N2");
  }

  @Test
  void memoryOutsideTheHeapIsOnlyReportedWithAFixedHeap() {
    // the reading that printed "resident outside it -505.84%": the heap grew by more than the resident size did
    var m = new ReferenceBenchmark.Memory(100, 1000, 1, 400L << 20, 420L << 20, 3, 100L << 20, 700L << 20, false);
    assertThat(m.nativeGrowthPercent()).isNaN();
    assertThat(m.format()).contains("resident outside the heap not measured: the heap was not fixed")
        .doesNotContain("-5");
    var fixed = new ReferenceBenchmark.Memory(1000, 10000, 4, 1200L << 20, 1205L << 20, 3, 1024L << 20,
        1024L << 20, true);
    assertThat(fixed.nativeGrowthPercent()).isCloseTo(100.0 * 5 / 176, Offset.offset(1e-9));
    assertThat(fixed.format()).contains("resident outside the heap 176.0 -> 181.0 MiB: +5.0 MiB, +2.84% (goal < 2%:"
        + " not met)");
  }
}
