package dev.lowlight.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.lowlight.api.nn.Scalars;
import dev.lowlight.api.nn.StrayArrays;
import dev.lowlight.data.loading.Batch;
import dev.lowlight.model.Losses;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Seeds;
import dev.lowlight.model.StageClock;
import dev.lowlight.train.optim.GradientClipping;
import dev.lowlight.train.optim.Gradients;
import dev.lowlight.train.optim.TrainableParameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-parallel training on one machine, with the semantics of PyTorch's {@code
 * DistributedDataParallel}: one replica of the model per device, each batch cut into one shard
 * per replica (in image order), each replica's forward and backward on its own thread, the
 * gradients averaged into the master (replica 0, the model being trained), the optimizer run once
 * on the master, and the master's trainable weights and running statistics copied back to every
 * replica. A run over K devices with {@code ims_per_batch = B} therefore takes the same steps as
 * one device with {@code ims_per_batch = B/K} and {@code accumulate = K}.
 *
 * <p>A device may appear more than once (two replicas on the CPU check the arithmetic without a
 * GPU; they do not run faster).
 */
final class DataParallel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DataParallel.class);

  private final List<Device> devices;
  private final List<NDManager> managers = new ArrayList<>();
  private final List<MaskRcnn> models = new ArrayList<>();
  private final List<List<TrainableParameter>> trainable = new ArrayList<>();
  /** Per replica (from 1), the parameter pairs {master, replica} that the step may change. */
  private final List<List<Parameter[]>> synced = new ArrayList<>();
  private final ExecutorService pool;

  private DataParallel(List<Device> devices) {
    this.devices = List.copyOf(devices);
    this.pool = Executors.newFixedThreadPool(devices.size(), r -> {
      Thread t = new Thread(r, "lowlight-replica");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Replicas of {@code master} on {@code devices[1..]}; {@code devices[0]} is the master's own.
   *
   * @param master the model being trained, initialised on {@code devices[0]}
   * @param masterManager the manager of the master's parameters
   * @param masterTrainable the master's trainable parameters (the freeze policy applied)
   * @param policy the freeze policy, applied to every replica the same way
   */
  static DataParallel create(MaskRcnn master, NDManager masterManager, List<TrainableParameter> masterTrainable,
      FreezePolicy policy, List<Device> devices) {
    DataParallel dp = new DataParallel(devices);
    try {
      dp.managers.add(masterManager);
      dp.models.add(master);
      dp.trainable.add(masterTrainable);
      Set<Parameter> masterTrainables = new HashSet<>();
      masterTrainable.forEach(tp -> masterTrainables.add(tp.parameter()));
      for (int k = 1; k < devices.size(); k++) {
        NDManager m = NDManager.newBaseManager(devices.get(k));
        m.setName("replica-" + k);
        dp.managers.add(m);
        MaskRcnn replica = master.replicate(m);
        dp.models.add(replica);
        List<TrainableParameter> t = policy.apply(replica);
        if (t.size() != masterTrainable.size()) {
          throw new IllegalStateException("replica " + k + " has " + t.size() + " trainable parameters, the master "
              + masterTrainable.size());
        }
        dp.trainable.add(t);
        var mine = master.parameters().getParameters();
        var theirs = replica.parameters().getParameters();
        List<Parameter[]> pairs = new ArrayList<>();
        for (int i = 0; i < mine.size(); i++) {
          Parameter p = mine.valueAt(i);
          boolean changes = masterTrainables.contains(p) || p.getType() == Parameter.Type.RUNNING_MEAN
              || p.getType() == Parameter.Type.RUNNING_VAR;
          if (changes) {
            pairs.add(new Parameter[] {p, theirs.valueAt(i)});
          }
        }
        dp.synced.add(pairs);
      }
      LOG.info("data parallel over {} replicas on {}", devices.size(), devices);
      return dp;
    } catch (RuntimeException e) {
      dp.close();
      throw e;
    }
  }

  /** Replica {@code k} (0 is the master). */
  MaskRcnn replica(int k) {
    return models.get(k);
  }

  /** Number of replicas. */
  int size() {
    return devices.size();
  }

  /**
   * Forward and backward of each shard of {@code batch} on its replica, all at once; gradients
   * accumulate in each replica. Returns each shard's loss values.
   *
   * @param seeds the sampling seed of shard {@code k}
   * @param lossScale multiplies each shard's total loss before backward (1/accumulate)
   */
  List<Map<String, Double>> forwardBackward(Batch batch, LongUnaryOperator seeds, float lossScale) {
    List<Batch> shards = split(batch, devices.size());
    List<Callable<Map<String, Double>>> work = new ArrayList<>();
    // One collector for the whole step (DJL allows one at a time); the replicas' threads switch
    // autograd on for themselves, and backward is a call on each loss, safe from several threads on
    // separate graphs.
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      for (int k = 0; k < shards.size(); k++) {
        int replica = k;
        work.add(() -> {
          // autograd's switch is per thread in PyTorch, and DJL's collector flips it only for its own
          JniUtils.setGradMode(true);
          try (NDManager step = managers.get(replica).newSubManager()) {
            Losses losses = models.get(replica).losses(step, shards.get(replica), seeds.applyAsLong(replica),
                StageClock.NONE);
            // a parameter that this shard does not reach (a head with no positive sample) would get
            // no gradient here while another replica's has one: weight 0 keeps every one in the graph
            NDArray unused = null;
            for (TrainableParameter tp : trainable.get(replica)) {
              NDArray weight = tp.parameter().getArray();
              step.tempAttachAll(weight); // so that its sum belongs to the step
              NDArray zero = Scalars.mul(weight.sum(), 0f);
              unused = unused == null ? zero : unused.add(zero);
            }
            Map<String, Double> values = losses.values();
            if (values.values().stream().allMatch(Double::isFinite)) {
              losses.backward(gc, t -> lossScale == 1f ? t : Scalars.mul(t, lossScale), unused);
            }
            return values;
          } finally {
            JniUtils.setGradMode(false);
          }
        });
      }
      return runAll(work);
    }
  }

  /**
   * Adds every replica's gradients into the master's, divides by the number of replicas and zeroes
   * the replicas' gradients.
   */
  void reduceGradients() {
    List<TrainableParameter> master = trainable.get(0);
    Device target = devices.get(0);
    for (int k = 1; k < devices.size(); k++) {
      try (NDManager moved = managers.get(0).newSubManager()) {
        Map<String, NDArray> gradients = new HashMap<>();
        Gradients.forEach(trainable.get(k), managers.get(k), (tp, p, g, scope) -> {
          NDArray copy = g.toDevice(target, true);
          copy.attach(moved);
          gradients.put(tp.name(), copy);
          return true;
        });
        Gradients.forEach(master, managers.get(0), (tp, p, g, scope) -> {
          NDArray other = gradients.remove(tp.name());
          if (other != null) {
            g.addi(other);
          }
          return true;
        });
        if (!gradients.isEmpty()) {
          // cannot happen while every replica's loss reaches every trainable parameter (forwardBackward)
          throw new IllegalStateException("replica " + k + " has gradients the master lacks: " + gradients.keySet());
        }
      }
      GradientClipping.zero(trainable.get(k), managers.get(k));
    }
    GradientClipping.scale(master, 1.0 / devices.size(), managers.get(0));
  }

  /** Copies the master's trainable weights and running statistics into every replica. */
  void broadcast() {
    for (int k = 1; k < devices.size(); k++) {
      Device device = devices.get(k);
      try (NDManager scope = managers.get(k).newSubManager()) {
        for (Parameter[] pair : synced.get(k - 1)) {
          NDArray copy = pair[0].getArray().toDevice(device, true);
          copy.attach(scope);
          pair[1].getArray().set(new NDIndex("..."), copy);
        }
      }
    }
  }

  /**
   * Stray-array guards for the replicas' parameter managers (the master's is the trainer's own).
   */
  List<StrayArrays> watchReplicas() {
    List<StrayArrays> out = new ArrayList<>();
    for (int k = 1; k < managers.size(); k++) {
      out.add(StrayArrays.watch(managers.get(k)));
    }
    return out;
  }

  /** {@code batch} cut into {@code parts} consecutive shards of equal size (same padded size). */
  static List<Batch> split(Batch batch, int parts) {
    if (batch.size() % parts != 0) {
      throw new IllegalArgumentException("a batch of " + batch.size() + " images cannot be split over " + parts
          + " replicas; make solver.ims_per_batch a multiple of the number of devices");
    }
    if (parts == 1) {
      return List.of(batch);
    }
    int per = batch.size() / parts;
    int plane = 3 * batch.paddedHeight() * batch.paddedWidth();
    List<Batch> out = new ArrayList<>(parts);
    for (int k = 0; k < parts; k++) {
      float[] images = Arrays.copyOfRange(batch.images(), k * per * plane, (k + 1) * per * plane);
      out.add(new Batch(images, batch.paddedHeight(), batch.paddedWidth(),
          batch.targets().subList(k * per, (k + 1) * per), batch.position()));
    }
    return out;
  }

  private <T> List<T> runAll(List<Callable<T>> work) {
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> c : work) {
      futures.add(pool.submit(c));
    }
    List<T> out = new ArrayList<>();
    RuntimeException failure = null;
    for (Future<T> f : futures) {
      try {
        out.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = failure != null ? failure : new IllegalStateException("interrupted while replicas ran", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (failure == null) {
          failure = cause instanceof RuntimeException r ? r : new IllegalStateException(cause.getMessage(), cause);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return out;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    for (int k = 1; k < managers.size(); k++) {
      managers.get(k).close();
    }
  }
}
