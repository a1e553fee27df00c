package dev.lowlight.api.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parameter names in PyTorch's {@code state_dict} style ({@code layer1.0.conv1.weight}).
 *
 * <p>DJL stores children under keys numbered by insertion ({@code "01conv1"}) and joins levels
 * with {@code _}; this class strips the numbering and joins with dots, so a block tree built with
 * torchvision's child names has torchvision's parameter names. A child added under the empty name
 * adds no path segment.
 */
public final class TorchNames {

  private TorchNames() {}

  /** Every parameter of {@code block}, keyed by its dotted path, in registration order. */
  public static Map<String, Parameter> parameters(Block block) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    collect(block, "", out);
    return out;
  }

  private static void collect(Block block, String prefix, Map<String, Parameter> out) {
    for (Pair<String, Parameter> p : block.getDirectParameters()) {
      out.put(prefix + p.getKey(), p.getValue());
    }
    int i = 0;
    for (Pair<String, Block> child : block.getChildren()) {
      i++;
      String name = childName(child.getKey(), i);
      // An unnamed child is transparent: its parameters sit directly under the parent's path,
      // which lets a container hold a plugin's block whose own children carry torchvision's names.
      collect(child.getValue(), name.isEmpty() ? prefix : prefix + name + ".", out);
    }
  }

  /**
   * Every block under {@code root} (itself excluded) of type {@code type}, keyed by its dotted
   * path as in {@link #parameters} ({@code backbone.denoise.res3}), in registration order; a
   * block found is not searched further.
   */
  public static <T> Map<String, T> blocks(Block root, Class<T> type) {
    Map<String, T> out = new LinkedHashMap<>();
    collectBlocks(root, "", type, out);
    return out;
  }

  private static <T> void collectBlocks(Block block, String prefix, Class<T> type, Map<String, T> out) {
    int i = 0;
    for (Pair<String, Block> child : block.getChildren()) {
      i++;
      String name = childName(child.getKey(), i);
      String path = name.isEmpty() ? prefix : prefix.isEmpty() ? name : prefix + "." + name;
      if (type.isInstance(child.getValue())) {
        out.put(path, type.cast(child.getValue()));
      } else {
        collectBlocks(child.getValue(), path, type, out);
      }
    }
  }

  /** The name a child was added with, given DJL's key and the child's 1-based position. */
  public static String childName(String djlKey, int position) {
    String number = String.format(Locale.ROOT, "%02d", position);
    return djlKey.startsWith(number) ? djlKey.substring(number.length()) : djlKey;
  }
}
