package dev.lowlight.bench.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The benchmark runs end to end on tiny settings (its numbers are reported, not tested). */
class DataBenchmarkTest {

  @Test
  void measuresBothCodecsAndTheLoader() {
    DataBenchmark.Report r = DataBenchmark.run(new DataBenchmark.Settings(64, 48, 2, 4, 2, 1, 2));
    assertThat(r.openCvUnavailable()).isNull();
    assertThat(r.decode()).extracting(DataBenchmark.DecodeRow::codec)
        .containsExactly("opencv", "opencv", "imageio", "imageio");
    assertThat(r.decode()).allSatisfy(d -> assertThat(d.imagesPerSecond()).isPositive());
    assertThat(r.loader()).extracting(DataBenchmark.LoaderRow::codec).containsExactly("opencv", "imageio");
    assertThat(r.loader()).allSatisfy(l -> assertThat(l.batchesPerSecond()).isPositive());
    assertThat(DataBenchmark.table(r)).contains("images/s").contains("batches/s").contains("opencv speed-up");
  }
}
