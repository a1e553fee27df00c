package dev.lowlight.bench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowlight.model.MaskRcnn;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainBenchmarkTest {

  private static final String TINY = """
      num_classes: 8
      backbone: {name: resnet18, options: {norm: frozen}}
      neck: {name: fpn, options: {out_channels: 16}}
      rpn: {pre_nms_top_n_train: 100, post_nms_top_n_train: 50, batch_size_per_image: 64}
      roi_heads:
        box_head: {name: two-mlp, options: {representation_size: 32}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [8, 8], dim_reduced: 8}}
        batch_size_per_image: 32
      """;

  private static TrainBenchmark.Settings tiny() {
    return new TrainBenchmark.Settings("tiny", TrainBenchmark.Settings.config(TINY, 64), 64, 2, 1, 2, 1, 1);
  }

  @Test
  void reportHasSaneFields() {
    TrainBenchmark.Report r = TrainBenchmark.run(tiny());
    assertThat(r.stepMs()).isPositive();
    assertThat(r.stagesMs()).containsOnlyKeys(TrainBenchmark.STAGES);
    assertThat(r.stagesMs().values()).allMatch(v -> v >= 0);
    assertThat(r.stagesMs().get("backbone")).isPositive();
    assertThat(r.stagesMs().get("backward")).isPositive();
    assertThat(r.convMs()).isPositive();
    assertThat(r.convFlops()).isPositive();
    // the step runs every backbone convolution plus FPN, RPN and heads
    assertThat(r.stepFlops()).isGreaterThan(r.convFlops());
    assertThat(r.meanRois()).isPositive().isLessThanOrEqualTo(2 * 32);
    assertThat(r.convGflops()).isPositive();
    assertThat(r.ratio()).isPositive();
    assertThat(r.losses()).hasSize(5).allSatisfy((k, v) -> assertThat(v).isFinite());
    assertThat(r.rssBytes()).isPositive();
    assertThat(r.rssPeakBytes()).isGreaterThanOrEqualTo(r.rssBytes());
    assertThat(r.heapPeakBytes()).isPositive();
    assertThat(r.describe()).contains("s/iteration", "GFLOP/s", "backbone", "optimizer", "resident");
  }

  @Test
  void leakCheckReadsTwice() {
    TrainBenchmark.Leak leak = TrainBenchmark.leak(tiny(), 2, 4);
    assertThat(leak.rssK1()).isPositive();
    assertThat(leak.rssK2()).isPositive();
    assertThat(leak.describe()).contains("after 2 iterations", "after 4");
    assertThatThrownBy(() -> TrainBenchmark.leak(tiny(), 5, 5)).hasMessageContaining("K1=5");
  }

  @Test
  void convFlopsOfTheStemMatchTheFormula() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(TrainBenchmark.Settings.config(TINY, 64)).build()
          .initialize(manager);
      model.backbone().initialize(manager, DataType.FLOAT32, new Shape(2, 3, 64, 96));
      List<ConvFlops.Layer> layers = ConvFlops.layers(model.backbone(), false);
      ConvFlops.Layer stem = layers.get(0);
      assertThat(stem.input()).isEqualTo(new Shape(2, 3, 64, 96));
      // 7x7 stride 2: 64 filters over 3 channels on a 32x48 output, two images
      assertThat(stem.forwardFlops()).isEqualTo(2.0 * 2 * 64 * 3 * 49 * 32 * 48);
      assertThat(stem.inputGrad()).isFalse();
      // ResNet-18: stem + 16 3x3 + 3 downsample convolutions
      assertThat(layers).hasSize(20);
      assertThat(layers.get(layers.size() - 1).inputGrad()).isTrue();
    }
  }
}
