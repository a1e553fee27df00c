package dev.lowlight.model.weights;

import java.util.Arrays;
import java.util.List;

/**
 * What {@link StateDictLoader#load} did not match, like the result of PyTorch's
 * {@code load_state_dict}: parameters the state dict lacks, state-dict entries no parameter takes,
 * and entries whose shape differs from the parameter's.
 *
 * @param missingKeys parameters of the block (state-dict names, prefix included) with no entry
 * @param unexpectedKeys state-dict entries under the prefix that match no parameter
 * @param shapeMismatches entries present on both sides with different shapes (not copied)
 */
public record LoadReport(List<String> missingKeys, List<String> unexpectedKeys,
    List<ShapeMismatch> shapeMismatches) {

  /** Copies the lists. */
  public LoadReport {
    missingKeys = List.copyOf(missingKeys);
    unexpectedKeys = List.copyOf(unexpectedKeys);
    shapeMismatches = List.copyOf(shapeMismatches);
  }

  /** Whether every parameter was loaded and every entry used. */
  public boolean isClean() {
    return missingKeys.isEmpty() && unexpectedKeys.isEmpty() && shapeMismatches.isEmpty();
  }

  /** The missing keys that start with {@code prefix}. */
  public List<String> missingUnder(String prefix) {
    return missingKeys.stream().filter(k -> k.startsWith(prefix)).toList();
  }

  /**
   * This report less the missing keys under {@code prefix}: for a caller that expects them to be
   * missing (denoisers added to a pretrained detector) and reports them on their own.
   */
  public LoadReport expectingMissing(String prefix) {
    return new LoadReport(missingKeys.stream().filter(k -> !k.startsWith(prefix)).toList(), unexpectedKeys,
        shapeMismatches);
  }

  /** A multi-line description in the style of PyTorch's error message. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    if (!missingKeys.isEmpty()) {
      sb.append("Missing key(s) in state_dict: ").append(quoted(missingKeys)).append(".\n");
    }
    if (!unexpectedKeys.isEmpty()) {
      sb.append("Unexpected key(s) in state_dict: ").append(quoted(unexpectedKeys)).append(".\n");
    }
    for (ShapeMismatch m : shapeMismatches) {
      sb.append("size mismatch for ").append(m.key()).append(": copying a param with shape ")
          .append(Arrays.toString(m.fileShape())).append(" from checkpoint, the shape in current"
              + " model is ").append(Arrays.toString(m.blockShape())).append(".\n");
    }
    return sb.toString().strip();
  }

  private static String quoted(List<String> keys) {
    return String.join(", ", keys.stream().map(k -> "\"" + k + "\"").toList());
  }

  /**
   * One entry whose shape differs from its parameter's.
   *
   * @param key the state-dict name
   * @param blockShape the parameter's shape
   * @param fileShape the state dict's shape
   */
  public record ShapeMismatch(String key, long[] blockShape, long[] fileShape) {

    @Override
    public boolean equals(Object o) {
      return o instanceof ShapeMismatch m && key.equals(m.key)
          && Arrays.equals(blockShape, m.blockShape) && Arrays.equals(fileShape, m.fileShape);
    }

    @Override
    public int hashCode() {
      return key.hashCode() * 31 + Arrays.hashCode(blockShape) * 17 + Arrays.hashCode(fileShape);
    }

    @Override
    public String toString() {
      return key + ": block " + Arrays.toString(blockShape) + ", file " + Arrays.toString(fileShape);
    }
  }
}
