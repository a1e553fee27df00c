package dev.lowlight.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.data.dataset.SceneBatches;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.model.MaskRcnn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training checked without a GPU: two replicas on the CPU must take exactly the
 * steps that one device takes when it accumulates the same two shards, and stay equal to the
 * master.
 */
class DataParallelTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long DATA_SEED = 5;
  private static final String SOLVER = "optimizer: sgd, base_lr: 0.004, momentum: 0.9, max_iters: 3, warmup_iters: 1,"
      + " clip_grad_norm: 5.0";

  @TempDir
  Path tmp;

  @Test
  void twoReplicasTakeTheStepsOfOneDeviceAccumulatingTheirShards() throws Exception {
    ModelConfig accumulating = TinyModel.config("solver: {" + SOLVER + ", ims_per_batch: 1, accumulate: 2}\n");
    ModelConfig parallel = TinyModel.config("solver: {" + SOLVER + ", ims_per_batch: 2}\n");
    Map<String, float[]> expected;
    Map<String, float[]> initial;
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = TinyModel.model(accumulating, manager, 1);
      initial = trainable(model);
      Trainer.builder().setModel(model).setTrainData(new SceneBatches(accumulating, TinyModel.scenes(), 6, DATA_SEED, 1))
          .setRunDirectory(tmp.resolve("one")).optSeed(3).build().run();
      expected = trainable(model);
    }
    Map<String, float[]> actual;
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = TinyModel.model(parallel, manager, 1);
      Trainer.builder().setModel(model).setTrainData(new SceneBatches(parallel, TinyModel.scenes(), 6, DATA_SEED, 2))
          .setRunDirectory(tmp.resolve("two")).optSeed(3).optDevices(List.of(Device.cpu(), Device.cpu())).build()
          .run();
      actual = trainable(model);
    }
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    int moved = 0;
    for (String name : expected.keySet()) {
      float[] e = expected.get(name);
      float[] a = actual.get(name);
      int first = java.util.Arrays.mismatch(e, a);
      assertThat(first).as("%s differs first at [%d]: %s with replicas vs %s accumulating", name, first,
          first >= 0 ? a[first] : null, first >= 0 ? e[first] : null).isEqualTo(-1);
      if (java.util.Arrays.mismatch(e, initial.get(name)) >= 0) {
        moved++;
      }
    }
    assertThat(moved).as("trainable tensors changed by training").isGreaterThan(expected.size() / 2);
    List<JsonNode> one = lines(tmp.resolve("one"));
    List<JsonNode> two = lines(tmp.resolve("two"));
    assertThat(two).hasSize(3);
    for (int i = 0; i < one.size(); i++) {
      assertThat(two.get(i).path("loss").asDouble()).isCloseTo(one.get(i).path("loss").asDouble(),
          org.assertj.core.data.Offset.offset(1e-9));
      assertThat(two.get(i).path("grad_norm").asDouble()).isEqualTo(one.get(i).path("grad_norm").asDouble());
    }
  }

  @Test
  void replicasStartAndStayEqualToTheMaster() {
    // trainable batch norm: the running statistics must follow the master's too
    ModelConfig config = TinyModel.config("solver: {" + SOLVER + ", ims_per_batch: 2}\n");
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn master = TinyModel.model(config, manager, 1);
      FreezePolicy policy = FreezePolicy.of(config.solver().trainable());
      var trainable = policy.apply(master);
      try (DataParallel dp = DataParallel.create(master, manager, trainable, policy,
          List.of(Device.cpu(), Device.cpu()))) {
        MaskRcnn replica = dp.replica(1);
        assertThat(allValues(replica)).as("a fresh replica").isEqualTo(allValues(master));
        Map<String, List<Float>> before = allValues(master);
        Batch batch = new SceneBatches(config, TinyModel.scenes(), 2, DATA_SEED, 2).next();
        var losses = dp.forwardBackward(batch, k -> 11 + k, 1f);
        assertThat(losses).hasSize(2);
        assertThat(losses.get(0)).as("two different images").isNotEqualTo(losses.get(1));
        dp.reduceGradients();
        new dev.lowlight.train.optim.Sgd(manager, 0.0, 0.0).step(trainable, 0.01);
        dev.lowlight.train.optim.GradientClipping.zero(trainable, manager);
        dp.broadcast();
        Map<String, List<Float>> after = allValues(master);
        assertThat(after).as("the step changed the master").isNotEqualTo(before);
        String runningMean = after.keySet().stream().filter(k -> k.contains("running_mean")).findFirst().orElseThrow();
        assertThat(after.get(runningMean)).as("running statistics moved").isNotEqualTo(before.get(runningMean));
        assertThat(allValues(replica)).as("the replica after the step").isEqualTo(after);
      }
    }
  }

  @Test
  void aBatchThatTheDevicesCannotShareEquallyIsRefusedUpFront() {
    ModelConfig config = TinyModel.config("solver: {" + SOLVER + ", ims_per_batch: 3}\n");
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = TinyModel.model(config, manager, 1);
      assertThatThrownBy(() -> Trainer.builder().setModel(model)
          .setTrainData(new SceneBatches(config, TinyModel.scenes(), 3, DATA_SEED, 3)).setRunDirectory(tmp)
          .optDevices(List.of(Device.cpu(), Device.cpu())).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ims_per_batch is 3")
          .hasMessageContaining("multiple of 2");
    }
  }

  @Test
  void batchesSplitIntoConsecutiveShardsOfTheSamePaddedSize() {
    ModelConfig config = TinyModel.config("");
    Batch batch = new SceneBatches(config, TinyModel.scenes(), 4, DATA_SEED, 4).next();
    List<Batch> shards = DataParallel.split(batch, 2);
    assertThat(shards).hasSize(2);
    int plane = 3 * batch.paddedHeight() * batch.paddedWidth();
    for (int k = 0; k < 2; k++) {
      Batch s = shards.get(k);
      assertThat(s.size()).isEqualTo(2);
      assertThat(s.paddedHeight()).isEqualTo(batch.paddedHeight());
      assertThat(s.targets()).isEqualTo(batch.targets().subList(2 * k, 2 * k + 2));
      assertThat(s.images()).isEqualTo(java.util.Arrays.copyOfRange(batch.images(), 2 * k * plane, (2 * k + 2) * plane));
      assertThat(s.position()).isEqualTo(batch.position());
    }
    assertThatThrownBy(() -> DataParallel.split(batch, 3)).hasMessageContaining("4 images cannot be split over 3");
  }

  @Test
  void deviceListsAreParsedAndGpusThatDoNotExistNamed() {
    assertThat(Devices.parseAll("cpu")).containsExactly(Device.cpu());
    if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
      assertThatThrownBy(() -> Devices.parseAll("gpu:0,1")).hasMessageContaining("no GPU is visible");
      assertThatThrownBy(() -> Devices.parseAll("gpu:all")).hasMessageContaining("no GPU is visible");
    } else {
      assertThat(Devices.parseAll("gpu:all")).hasSize(ai.djl.engine.Engine.getInstance().getGpuCount());
      assertThatThrownBy(() -> Devices.parseAll("gpu:0,0")).hasMessageContaining("twice");
    }
  }

  private static Map<String, float[]> trainable(MaskRcnn model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    var params = model.parameters().getParameters();
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.valueAt(i);
      if (p.requiresGradient()) {
        out.put(params.keyAt(i), p.getArray().toFloatArray());
      }
    }
    return out;
  }

  private static Map<String, List<Float>> allValues(MaskRcnn model) {
    Map<String, List<Float>> out = new LinkedHashMap<>();
    var params = model.parameters().getParameters();
    for (int i = 0; i < params.size(); i++) {
      List<Float> v = new ArrayList<>();
      for (float f : params.valueAt(i).getArray().toFloatArray()) {
        v.add(f);
      }
      out.put(params.keyAt(i), v);
    }
    return out;
  }

  private static List<JsonNode> lines(Path run) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(run.resolve(Trainer.METRICS))) {
      JsonNode n = JSON.readTree(l);
      if ("train".equals(n.path("type").asText())) {
        out.add(n);
      }
    }
    return out;
  }
}
