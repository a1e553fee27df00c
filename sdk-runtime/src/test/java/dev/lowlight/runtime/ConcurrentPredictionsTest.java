package dev.lowlight.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.runtime.bench.ReferenceBenchmark;
import dev.lowlight.runtime.bench.RuntimeBenchmark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One predictor shared by several threads gives what one thread gets, and memory does not run away. */
class ConcurrentPredictionsTest {

  private static final int THREADS = 4;
  private static final int PER_THREAD = 25;

  @TempDir Path dir;

  /** Everything a caller reads of one prediction, pasted masks included. */
  private static List<String> summary(Detections d) {
    List<String> out = new ArrayList<>();
    for (Instance in : d.instances()) {
      out.add(in.label() + " " + in.className() + " " + in.score() + " " + in.box() + " "
          + java.util.Arrays.toString(in.rle().counts()));
    }
    return out;
  }

  private static RgbImage image(int k) {
    // a different image per prediction, so a mix-up between threads' results cannot go unnoticed
    return RuntimeBenchmark.synthetic(48 + 4 * (k % 5), 64 + 4 * (k % 3), 1000 + k);
  }

  @Test
  void fourThreadsMatchOneThread() throws Exception {
    Path model = ContractModels.dynamic(dir);
    int total = THREADS * PER_THREAD;
    try (LowlightPredictor predictor = LowlightPredictor.open(model)) {
      List<List<String>> expected = new ArrayList<>();
      for (int k = 0; k < total; k++) {
        expected.add(summary(predictor.predict(image(k))));
      }
      assertThat(expected).anySatisfy(s -> assertThat(s).isNotEmpty());
      @SuppressWarnings("unchecked")
      List<String>[] actual = new List[total];
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int first = t;
          futures.add(pool.submit(() -> {
            for (int k = first; k < total; k += THREADS) {
              actual[k] = summary(predictor.predict(image(k)));
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      for (int k = 0; k < total; k++) {
        assertThat(actual[k]).as("prediction %d", k).isEqualTo(expected.get(k));
      }
    }
  }

  @Test
  void memoryReadingsAreTakenAfterEachCount() throws Exception {
    Path model = ContractModels.dynamic(dir);
    ReferenceBenchmark.Memory m = ReferenceBenchmark.memory(model, image(0), 5, 20, 4, PredictorOptions.defaults());
    assertThat(m.first()).isEqualTo(5);
    assertThat(m.second()).isEqualTo(20);
    assertThat(m.threads()).isEqualTo(4);
    assertThat(m.rssFirst()).isPositive();
    assertThat(m.rssSecond()).isPositive();
    assertThat(m.format()).contains("4 threads", "after 5 predictions", "after 20");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> ReferenceBenchmark.memory(model, image(0), 20, 20, 1, PredictorOptions.defaults()))
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
    assertThat(fixed.nativeGrowthPercent()).isCloseTo(100.0 * 5 / 176, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(fixed.format()).contains("resident outside the heap 176.0 -> 181.0 MiB: +5.0 MiB, +2.84% (goal < 2%:"
        + " not met)");
  }
}
