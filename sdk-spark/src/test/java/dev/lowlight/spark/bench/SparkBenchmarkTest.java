package dev.lowlight.spark.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lowlight.spark.bench.SparkBenchmark.Line;
import dev.lowlight.spark.bench.SparkBenchmark.Run;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic: lines through two runs, overheads and the cluster projection. */
class SparkBenchmarkTest {

  @Test
  void linesOverheadsAndProjectionFollowFromTheRuns() {
    // single: 50 ms per image and 0.5 s per job; Spark: 60 ms per image and 2.5 s per job
    Line single = new Line(new Run("synth", "lowlight synth, 1 thread", 1, 50, 3.0, 3.0),
        new Run("synth", "lowlight synth, 1 thread", 1, 200, 10.5, 10.5));
    Line spark = new Line(new Run("synth", "Spark local[1]", 1, 50, 5.5, 5.0),
        new Run("synth", "Spark local[1]", 1, 200, 14.5, 14.0));
    assertThat(single.wallPerImage()).isCloseTo(0.05, within(1e-12));
    assertThat(single.wallFixed()).isCloseTo(0.5, within(1e-9));
    assertThat(spark.cpuPerImage()).isCloseTo(0.06, within(1e-12));
    assertThat(spark.imagesPerSecond()).isCloseTo(200 / 14.5, within(1e-12));

    SparkBenchmark.Config c = new SparkBenchmark.Config(Path.of("w"), Path.of("m.onnx"), 200, 640, 480, 10, List.of(1),
        "maet");
    String table = SparkBenchmark.table(c, new SparkBenchmark.Result(List.of(single, spark), 2.7));
    assertThat(table).contains("| synth   | Spark local[1]", "Starting a local Spark session: 2.7 s",
        "synth on 1 core(s): Spark's overhead +10.0 ms CPU and +10.0 ms wall per image, +2.00 s per job");
    // 2.5 s + 118287 images x 0.06 s / 16 cores = 446 s
    assertThat(table).contains("COCO train2017 (118287 images) synth at 0.060 CPU s per image: 16 cores 7.4 min;");
  }
}
