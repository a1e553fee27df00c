package dev.lowlight.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Named state arrays of an optimizer, in a manager of their own. */
final class StateArrays implements AutoCloseable {

  private final NDManager manager;
  private final Map<String, NDArray> arrays = new LinkedHashMap<>();

  StateArrays(NDManager parent) {
    this.manager = parent.newSubManager();
  }

  /** The state {@code slot.name}, or {@code null} before it is first created. */
  NDArray get(String slot, String name) {
    return arrays.get(slot + "." + name);
  }

  /** Stores {@code value} (moved into this manager) as {@code slot.name}. */
  NDArray put(String slot, String name, NDArray value) {
    value.attach(manager);
    NDArray old = arrays.put(slot + "." + name, value);
    if (old != null && old != value) {
      old.close();
    }
    return value;
  }

  Map<String, float[]> copy() {
    Map<String, float[]> out = new LinkedHashMap<>();
    arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  Map<String, long[]> shapes() {
    Map<String, long[]> out = new LinkedHashMap<>();
    arrays.forEach((k, v) -> out.put(k, v.getShape().getShape()));
    return out;
  }

  /**
   * Restores every {@code slot.name} of {@code state} whose slot is in {@code slots}, with the
   * shape and device of the parameter it belongs to.
   */
  void load(Map<String, float[]> state, List<String> slots, List<TrainableParameter> parameters) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (TrainableParameter p : parameters) {
      byName.put(p.name(), p.parameter().getArray());
    }
    for (Map.Entry<String, float[]> e : state.entrySet()) {
      int dot = e.getKey().indexOf('.');
      if (dot < 0 || !slots.contains(e.getKey().substring(0, dot))) {
        continue;
      }
      String name = e.getKey().substring(dot + 1);
      NDArray param = byName.get(name);
      if (param == null) {
        throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' belongs to no trainable parameter;"
            + " was the checkpoint written with another freeze policy?");
      }
      Shape shape = param.getShape();
      if (shape.size() != e.getValue().length) {
        throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' has " + e.getValue().length
            + " values, the parameter has shape " + shape);
      }
      NDArray a = manager.create(e.getValue(), shape).toDevice(param.getDevice(), false);
      put(e.getKey().substring(0, dot), name, a);
    }
  }

  NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    arrays.clear();
    manager.close();
  }
}
