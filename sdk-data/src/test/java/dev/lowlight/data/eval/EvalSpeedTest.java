package dev.lowlight.data.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A fifth of {@link EvalBenchmark}: 1,000 images x 100 detections within a fifth of 60 s. */
@Tag("slow")
class EvalSpeedTest {

  @Test
  void thousandImagesEvaluateWithinAFifthOfTheBudget() {
    EvalBenchmark.Data data = EvalBenchmark.generate(1000, 100, 7);
    double[] secs = EvalBenchmark.time(data);
    assertThat(secs[0]).as("bbox seconds").isLessThan(12);
    assertThat(secs[1]).as("segm seconds").isLessThan(12);
  }
}
