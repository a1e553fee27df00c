package dev.lowlight.model.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An ordered, immutable map from PyTorch-style parameter names
 * ({@code backbone.body.layer1.0.conv1.weight}) to tensors, plus free-form string metadata (the
 * safetensors {@code __metadata__}).
 *
 * <pre>
 * StateDict sd = TorchCheckpointReader.read(path);
 * TensorData w = sd.get("backbone.body.conv1.weight");
 * StateDict body = sd.withPrefix("backbone.body.");   // keys without the prefix
 * </pre>
 */
public final class StateDict {

  private final Map<String, TensorData> tensors;
  private final Map<String, String> metadata;

  /** A state dict of {@code tensors} in their iteration order, with no metadata. */
  public StateDict(Map<String, TensorData> tensors) {
    this(tensors, Map.of());
  }

  /** A state dict of {@code tensors} in their iteration order, with {@code metadata}. */
  public StateDict(Map<String, TensorData> tensors, Map<String, String> metadata) {
    Map<String, TensorData> copy = new LinkedHashMap<>();
    tensors.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "name"),
        Objects.requireNonNull(v, () -> "tensor " + k)));
    this.tensors = Collections.unmodifiableMap(copy);
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** The tensors, in file order (unmodifiable). */
  public Map<String, TensorData> tensors() {
    return tensors;
  }

  /** String metadata carried with the tensors (unmodifiable, possibly empty). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The names in file order. */
  public Set<String> names() {
    return tensors.keySet();
  }

  /** The tensor called {@code name}, or {@code null}. */
  public TensorData get(String name) {
    return tensors.get(name);
  }

  /** Whether {@code name} is present. */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** Number of tensors. */
  public int size() {
    return tensors.size();
  }

  /** Total number of elements over all tensors. */
  public long numel() {
    return tensors.values().stream().mapToLong(TensorData::numel).sum();
  }

  /**
   * The entries whose name starts with {@code prefix}, with the prefix removed: {@code
   * sd.withPrefix("backbone.body.")} turns a Mask R-CNN state dict into a backbone one.
   */
  public StateDict withPrefix(String prefix) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return new StateDict(out, metadata);
  }

  /** Every entry with {@code prefix} put in front of its name. */
  public StateDict addPrefix(String prefix) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> out.put(prefix + k, v));
    return new StateDict(out, metadata);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateDict s && tensors.equals(s.tensors) && metadata.equals(s.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tensors, metadata);
  }

  @Override
  public String toString() {
    return "StateDict[" + tensors.size() + " tensors, " + numel() + " elements]";
  }
}
