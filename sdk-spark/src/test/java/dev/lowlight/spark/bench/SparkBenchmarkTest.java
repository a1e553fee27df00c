package dev.lowlight.spark.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lowlight.spark.bench.SparkBenchmark.Row;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic: the fastest run, per-image costs, overheads and the cluster projection. */
class SparkBenchmarkTest {

  @Test
  void overheadsAndProjectionFollowFromTheFastestRuns() {
    Row single = new Row("synth", "lowlight synth, 1 thread", 1, 200, 11.0, 10.0)
        .fastest(new Row("synth", "lowlight synth, 1 thread", 1, 200, 10.0, 10.5));
    assertThat(single.wall()).isEqualTo(10.0);
    assertThat(single.cpu()).isEqualTo(10.0);
    assertThat(single.cpuMsPerImage()).isCloseTo(50.0, within(1e-9));
    Row spark = new Row("synth", "Spark local[1]", 1, 200, 12.0, 12.0);
    assertThat(spark.imagesPerSecond()).isCloseTo(200 / 12.0, within(1e-12));

    SparkBenchmark.Config c = new SparkBenchmark.Config(Path.of("w"), Path.of("m.onnx"), 200, 640, 480, 10, 2,
        List.of(1), "maet");
    String table = SparkBenchmark.table(c, new SparkBenchmark.Result(List.of(single, spark), 2.7));
    assertThat(table).contains("| synth   | Spark local[1]", "Starting a local Spark session: 2.7 s",
        "synth on 1 core(s): Spark's overhead +10.0 ms CPU and +10.0 ms wall per image (+20% CPU)");
    // 118287 images x 0.06 s / 16 cores = 444 s
    assertThat(table).contains("COCO train2017 (118287 images) synth at 0.060 CPU s per image: 16 cores 7.4 min;");
  }
}
