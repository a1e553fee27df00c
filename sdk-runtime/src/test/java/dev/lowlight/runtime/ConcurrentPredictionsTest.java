package dev.lowlight.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.synth.SyntheticPhotos;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One predictor shared by several threads gives what one thread gets. */
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
    return SyntheticPhotos.natural(64 + 4 * (k % 3), 48 + 4 * (k % 5), 1000 + k);
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
}
