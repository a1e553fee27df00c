package dev.lowlight.denoise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.nn.TorchNames;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Identity at start, exact chunking, and the gradient property of the weighted non-local block. */
class DenoiserPropertiesTest {

  private static final Shape SHAPE = new Shape(2, 8, 6, 7);

  private static NDArray random(NDManager m, Shape s, long seed) {
    Random r = new Random(seed);
    float[] v = new float[(int) s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return m.create(v, s);
  }

  private static float[] run(NDManager m, Block b, NDArray x, boolean training) {
    return b.forward(new ParameterStore(m, false), new NDList(x), training).singletonOrThrow().toFloatArray();
  }

  @Test
  void everyDenoiserStartsAsTheIdentity() {
    Map<String, Supplier<Block>> blocks = Map.of(
        "non-local", () -> NonLocalBlock.builder().setChannels(8).build(),
        "non-local gaussian", () -> NonLocalBlock.builder().setChannels(8).optMode(NonLocalMode.GAUSSIAN).build(),
        "wnlb", () -> WeightedNonLocalBlock.builder().setChannels(8).build(),
        "wnlb sub-sampled", () -> WeightedNonLocalBlock.builder().setChannels(8).optSubSample(true).build(),
        "median", () -> FeatureFilterBlock.builder().setChannels(8).setKind(FeatureFilterBlock.Kind.MEDIAN).build(),
        "mean", () -> FeatureFilterBlock.builder().setChannels(8).setKind(FeatureFilterBlock.Kind.MEAN).build(),
        "wnlb, authors' init", () -> WeightedNonLocalBlock.builder().setChannels(8)
            .optProjectionInit(ProjectionInit.ZERO).build(),
        "affine-only", () -> AffineOnlyBlock.builder().setChannels(8).build());
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = random(m, SHAPE, 1);
      for (var e : blocks.entrySet()) {
        Block b = e.getValue().get();
        b.initialize(m, DataType.FLOAT32, SHAPE);
        assertThat(run(m, b, x, false)).as("%s at init, inference", e.getKey()).containsExactly(x.toFloatArray());
        assertThat(run(m, b, x, true)).as("%s at init, training", e.getKey()).containsExactly(x.toFloatArray());
      }
    }
  }

  @Test
  void initialisedBranchIsNotTrivial() {
    // Identity at start must come from w = 0 and BN scale 0, not from a dead branch.
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      WeightedNonLocalBlock b = WeightedNonLocalBlock.builder().setChannels(8).build();
      b.initialize(m, DataType.FLOAT32, SHAPE);
      Map<String, Parameter> p = TorchNames.parameters(b);
      assertThat(p.keySet()).containsExactlyInAnyOrder("w", "theta.weight", "theta.bias", "phi.weight", "phi.bias",
          "g.weight", "g.bias", "w_z.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var");
      assertThat(p.get("w").getArray().toFloatArray()).containsExactly(0f);
      assertThat(p.get("bn.weight").getArray().abs().max().getFloat()).isZero();
      assertThat(p.get("w_z.weight").getArray().abs().max().getFloat()).isPositive();
    }
  }

  @Test
  void chunkedAttentionEqualsUnchunked() {
    for (boolean subSample : new boolean[] {false, true}) {
      try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
        WeightedNonLocalBlock whole = WeightedNonLocalBlock.builder().setChannels(8).optSubSample(subSample).build();
        WeightedNonLocalBlock chunked = WeightedNonLocalBlock.builder().setChannels(8).optSubSample(subSample)
            .optMemoryBudgetBytes(1024).build();
        Shape s = new Shape(1, 8, 13, 11);
        assertThat(NonLocalAttention.rowsPerChunk(1, subSample ? 30 : 143, 1024)).isLessThan(143 / 4);
        whole.initialize(m, DataType.FLOAT32, s);
        chunked.initialize(m, DataType.FLOAT32, s);
        Map<String, Parameter> a = TorchNames.parameters(whole);
        Map<String, Parameter> b = TorchNames.parameters(chunked);
        a.get("w").getArray().set(new float[] {0.7f});
        a.get("bn.weight").getArray().set(random(m, new Shape(8), 5).toFloatArray());
        a.forEach((k, v) -> b.get(k).getArray().set(v.getArray().toFloatArray()));
        NDArray x = random(m, s, 2);
        float[] expected = run(m, whole, x, false);
        float[] actual = run(m, chunked, x, false);
        float[] input = x.toFloatArray();
        double maxDiff = 0;
        double maxBranch = 0;
        for (int i = 0; i < expected.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
          maxBranch = Math.max(maxBranch, Math.abs(expected[i] - 0.3 * input[i]));
        }
        assertThat(maxBranch).as("the non-local branch contributes").isGreaterThan(0.1);
        assertThat(maxDiff).as("chunked vs whole, subSample=%s", subSample).isLessThan(1e-5);
      }
    }
  }

  @Test
  void rowsPerChunkRespectsTheBudget() {
    assertThat(NonLocalAttention.rowsPerChunk(1, 13400, 512L << 20)).isEqualTo((512L << 20) / (13400L * 12));
    assertThat(NonLocalAttention.rowsPerChunk(4, 1 << 20, 1024)).isEqualTo(1);
  }

  /** Trains a few SGD steps on a toy loss and records which parameters ever had non-zero gradient. */
  private static Map<String, Double> maxGradients(WeightedNonLocalBlock block, int steps) {
    Map<String, Double> maxGrad = new HashMap<>();
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      block.initialize(m, DataType.FLOAT32, SHAPE);
      Map<String, Parameter> params = TorchNames.parameters(block);
      NDArray x = random(m, SHAPE, 3);
      NDArray target = random(m, SHAPE, 4);
      for (int step = 0; step < steps; step++) {
        Map<String, NDArray> grads = new HashMap<>();
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
          NDArray z = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
          gc.backward(z.sub(target).square().mean());
          params.forEach((name, p) -> {
            if (p.requiresGradient()) {
              grads.put(name, p.getArray().getGradient().duplicate());
            }
          });
          gc.zeroGradients();
        }
        grads.forEach((name, g) -> {
          maxGrad.merge(name, (double) g.abs().max().getFloat(), Math::max);
          params.get(name).getArray().subi(g.mul(0.5f));
        });
      }
    }
    return maxGrad;
  }

  @Test
  void everyParameterOfTheWnlbGetsGradientWithinAFewSteps() {
    for (long budget : new long[] {AbstractNonLocalBlock.DEFAULT_BUDGET_BYTES, 2048}) {
      Map<String, Double> g = maxGradients(WeightedNonLocalBlock.builder().setChannels(8).optMemoryBudgetBytes(budget)
          .build(), 4);
      Set<String> expected = new LinkedHashSet<>(Set.of("w", "theta.weight", "theta.bias", "phi.weight", "g.weight",
          "w_z.weight", "bn.weight", "bn.bias"));
      for (String name : expected) {
        assertThat(g.get(name)).as("max |grad| of %s over 4 SGD steps (budget %d)", name, budget).isGreaterThan(1e-7);
      }
      // Two biases are invisible to the loss by algebra, so their gradient is 0 up to rounding: phi's bias adds
      // θ_i·b to every logit of row i, which the softmax ignores; g's bias adds b to every y_i (softmax rows sum
      // to 1), a per-channel constant that the training-mode batch norm subtracts again.
      assertThat(g.get("phi.bias")).as("phi.bias under softmax shift invariance").isLessThan(1e-4 * g.get("theta.bias"));
      assertThat(g.get("g.bias")).as("g.bias under batch-norm centring").isLessThan(1e-4 * g.get("g.weight"));
      assertThat(g).doesNotContainKeys("bn.running_mean", "bn.running_var");
    }
  }

  @Test
  void nonLocalBlockParametersGetGradientToo() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NonLocalBlock block = NonLocalBlock.builder().setChannels(8).optMode(NonLocalMode.DOT_PRODUCT).build();
      block.initialize(m, DataType.FLOAT32, SHAPE);
      Map<String, Parameter> params = TorchNames.parameters(block);
      NDArray x = random(m, SHAPE, 3);
      Set<String> seen = new LinkedHashSet<>();
      for (int step = 0; step < 3; step++) {
        Map<String, NDArray> grads = new HashMap<>();
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
          NDArray z = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
          gc.backward(z.sub(random(m, SHAPE, 9)).square().mean());
          params.forEach((n, p) -> {
            if (p.requiresGradient()) {
              grads.put(n, p.getArray().getGradient().duplicate());
            }
          });
          gc.zeroGradients();
        }
        grads.forEach((n, g) -> {
          if (g.abs().max().getFloat() > 1e-7f) {
            seen.add(n);
          }
          params.get(n).getArray().subi(g.mul(0.5f));
        });
      }
      assertThat(seen).containsExactlyInAnyOrder("theta.weight", "theta.bias", "phi.weight", "phi.bias", "g.weight",
          "g.bias", "w_z.weight", "bn.weight", "bn.bias");
    }
  }

  @Test
  void zeroInitialisedProjectionAsInTheAuthorsCodeNeverTrainsTheNonLocalPart() {
    WeightedNonLocalProvider provider = new WeightedNonLocalProvider();
    NonLocalOptions options = ConfigLoader.bind(provider, Map.of("w_z_init", "zero"), "denoise.options");
    assertThat(options).isEqualTo(NonLocalOptions.DEFAULTS.withProjectionInit(ProjectionInit.ZERO));
    WeightedNonLocalBlock block = (WeightedNonLocalBlock) provider.create(options, 8);
    assertThat(block.projectionInit()).isEqualTo(ProjectionInit.ZERO);
    Map<String, Double> g = maxGradients(block, 4);
    assertThat(g.get("w")).isGreaterThan(1e-7);
    assertThat(g.get("bn.bias")).isGreaterThan(1e-7);
    for (String dead : new String[] {"theta.weight", "phi.weight", "g.weight", "w_z.weight", "bn.weight"}) {
      assertThat(g.get(dead)).as("%s with W_z = 0", dead).isZero();
    }
  }

  /** bn.weight's gradient after one backward pass with w = 0.5, W_z as {@code init} makes it. */
  private static float[] bnScaleGradient(ProjectionInit init) {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      WeightedNonLocalBlock block = WeightedNonLocalBlock.builder().setChannels(8).optProjectionInit(init)
          .optInitialWeight(0.5f).build();
      block.initialize(m, DataType.FLOAT32, SHAPE);
      Map<String, Parameter> params = TorchNames.parameters(block);
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        NDArray z = block.forward(new ParameterStore(m, false), new NDList(random(m, SHAPE, 3)), true)
            .singletonOrThrow();
        gc.backward(z.sub(random(m, SHAPE, 4)).square().mean());
        return params.get("bn.weight").getArray().getGradient().toFloatArray();
      }
    }
  }

  @Test
  void authorsInitLeavesTheBatchNormScaleWithoutGradient() {
    assertThat(bnScaleGradient(ProjectionInit.ZERO)).as("w_z_init: zero").containsOnly(0f);
    float[] random = bnScaleGradient(ProjectionInit.RANDOM);
    double largest = 0;
    for (float v : random) {
      largest = Math.max(largest, Math.abs(v));
    }
    assertThat(largest).as("w_z_init: random").isGreaterThan(1e-4);
  }

  @Test
  void affineOnlyComputesItsFormula() {
    Shape s = new Shape(2, 3, 4, 5);
    float w = 0.3f;
    float[] beta = {0.5f, -1.25f, 2f};
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      AffineOnlyBlock block = AffineOnlyBlock.builder().setChannels(3).build();
      block.initialize(m, DataType.FLOAT32, s);
      assertThat(TorchNames.parameters(block).keySet()).containsExactly("w", "beta");
      block.blendWeight().getArray().set(new float[] {w});
      block.shift().getArray().set(beta);
      NDArray x = random(m, s, 7);
      float[] in = x.toFloatArray();
      for (boolean training : new boolean[] {false, true}) {
        float[] out = run(m, block, x, training);
        for (int i = 0; i < in.length; i++) {
          int c = (int) (i / (s.get(2) * s.get(3)) % s.get(1));
          assertThat(out[i]).as("element %d, training %s", i, training)
              .isCloseTo((1 - w) * in[i] + w * beta[c], within(1e-6f));
        }
      }
    }
  }

  @Test
  void authorsInitIsTheAffineOnlyBlock() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      WeightedNonLocalBlock wnlb = WeightedNonLocalBlock.builder().setChannels(8)
          .optProjectionInit(ProjectionInit.ZERO).build();
      AffineOnlyBlock affine = AffineOnlyBlock.builder().setChannels(8).build();
      wnlb.initialize(m, DataType.FLOAT32, SHAPE);
      affine.initialize(m, DataType.FLOAT32, SHAPE);
      float[] beta = random(m, new Shape(8), 11).toFloatArray();
      Map<String, Parameter> p = TorchNames.parameters(wnlb);
      p.get("w").getArray().set(new float[] {0.4f});
      p.get("bn.bias").getArray().set(beta);
      affine.blendWeight().getArray().set(new float[] {0.4f});
      affine.shift().getArray().set(beta);
      NDArray x = random(m, SHAPE, 12);
      for (boolean training : new boolean[] {false, true}) {
        assertThat(run(m, wnlb, x, training)).as("training %s", training).containsExactly(run(m, affine, x, training));
      }
      // both report their learnt w the same way (lowlight inspect, the validation records)
      assertThat(affine.inspect()).isEqualTo(wnlb.inspect()).containsOnlyKeys("w");
      assertThat(affine.inspect().get("w")).isCloseTo(0.4, within(1e-6));
    }
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> new NonLocalOptions("cosine", false, false, 512, 4096, "random"))
        .hasMessageContaining("mode").hasMessageContaining("embedded-gaussian");
    assertThatThrownBy(() -> new NonLocalOptions("embedded-gaussian", true, false, 512, 4096, "random"))
        .hasMessageContaining("scaled");
    assertThatThrownBy(() -> new NonLocalOptions("embedded-gaussian", false, false, 0, 4096, "random"))
        .hasMessageContaining("memory_budget_mb");
    assertThatThrownBy(() -> new NonLocalOptions("embedded-gaussian", false, false, 512, 4096, "xavier"))
        .hasMessageContaining("w_z_init").hasMessageContaining("zero");
    assertThatThrownBy(() -> AffineOnlyBlock.builder().build()).hasMessageContaining("channels");
    assertThatThrownBy(() -> new FilterOptions(4)).hasMessageContaining("kernel").hasMessageContaining("odd");
    assertThatThrownBy(() -> WeightedNonLocalBlock.builder().build()).hasMessageContaining("channels");
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      WeightedNonLocalBlock b = WeightedNonLocalBlock.builder().setChannels(8).build();
      b.initialize(m, DataType.FLOAT32, SHAPE);
      assertThatThrownBy(() -> run(m, b, random(m, new Shape(1, 4, 5, 5), 1), false))
          .hasMessageContaining("8 channels").hasMessageContaining("(1, 4, 5, 5)");
    }
  }
}
