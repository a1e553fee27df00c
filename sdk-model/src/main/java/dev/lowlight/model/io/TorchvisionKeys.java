package dev.lowlight.model.io;

import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.TensorData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two spellings of torchvision's Mask R-CNN state-dict keys, and the renaming of a checkpoint's
 * keys to the spelling a model uses.
 *
 * <p>torchvision 0.13 wrapped the FPN, RPN-head and mask-head convolutions in {@code
 * Conv2dNormActivation}, which added a {@code .0} level and renamed the mask head; its {@code
 * _load_from_state_dict} hooks accept both. The 2019 COCO checkpoints (and the SDK's FPN) use the
 * old names; torchvision 0.14 writes the new ones. {@link #RULES} lists each rewrite in both
 * directions; {@link #normalize} renames a key only when the model lacks it and the rewritten
 * name is one of the model's, so a table entry can never turn a matching key into a wrong one.
 *
 * <pre>{@code
 * Normalized n = TorchvisionKeys.normalize(checkpoint, TorchNames.parameters(model.parameters()).keySet());
 * StateDictLoader.load(model.parameters(), n.stateDict(), "", true);
 * }</pre>
 */
public final class TorchvisionKeys {

  /**
   * One rewrite of a key spelling.
   *
   * @param description old → new, for reports
   * @param pattern what the key must match (whole key)
   * @param rewrite the new key from the match
   */
  public record Rule(String description, Pattern pattern, Function<Matcher, String> rewrite) {

    /** The rewritten key, or {@code null} when {@code key} does not match. */
    public String apply(String key) {
      Matcher m = pattern.matcher(key);
      return m.matches() ? rewrite.apply(m) : null;
    }
  }

  /** Every rewrite, each generation to the other. */
  public static final List<Rule> RULES = List.of(
      new Rule("backbone.fpn.{inner,layer}_blocks.N.0.P -> backbone.fpn.{inner,layer}_blocks.N.P (0.14 -> 2019)",
          Pattern.compile("(backbone\\.fpn\\.(?:inner|layer)_blocks\\.\\d+)\\.0\\.(weight|bias)"),
          m -> m.group(1) + "." + m.group(2)),
      new Rule("backbone.fpn.{inner,layer}_blocks.N.P -> backbone.fpn.{inner,layer}_blocks.N.0.P (2019 -> 0.14)",
          Pattern.compile("(backbone\\.fpn\\.(?:inner|layer)_blocks\\.\\d+)\\.(weight|bias)"),
          m -> m.group(1) + ".0." + m.group(2)),
      new Rule("rpn.head.conv.0.0.P -> rpn.head.conv.P (0.14 -> 2019)",
          Pattern.compile("rpn\\.head\\.conv\\.0\\.0\\.(weight|bias)"), m -> "rpn.head.conv." + m.group(1)),
      new Rule("rpn.head.conv.P -> rpn.head.conv.0.0.P (2019 -> 0.14)",
          Pattern.compile("rpn\\.head\\.conv\\.(weight|bias)"), m -> "rpn.head.conv.0.0." + m.group(1)),
      new Rule("roi_heads.mask_head.N.0.P -> roi_heads.mask_head.mask_fcn{N+1}.P (0.14 -> 2019)",
          Pattern.compile("roi_heads\\.mask_head\\.(\\d+)\\.0\\.(weight|bias)"),
          m -> "roi_heads.mask_head.mask_fcn" + (Integer.parseInt(m.group(1)) + 1) + "." + m.group(2)),
      new Rule("roi_heads.mask_head.mask_fcnN.P -> roi_heads.mask_head.{N-1}.0.P (2019 -> 0.14)",
          Pattern.compile("roi_heads\\.mask_head\\.mask_fcn([1-9]\\d*)\\.(weight|bias)"),
          m -> "roi_heads.mask_head." + (Integer.parseInt(m.group(1)) - 1) + ".0." + m.group(2)));

  /**
   * A checkpoint renamed to a model's spelling.
   *
   * @param stateDict the renamed tensors (metadata kept)
   * @param renamed original key → new key, for each renamed entry
   * @param dropped keys left out because the model has no such buffer ({@code num_batches_tracked})
   */
  public record Normalized(StateDict stateDict, Map<String, String> renamed, List<String> dropped) {}

  private TorchvisionKeys() {}

  /** {@code key} in the other generation's spelling, or {@code null} if no rule applies. */
  public static String alternative(String key) {
    for (Rule r : RULES) {
      String out = r.apply(key);
      if (out != null) {
        return out;
      }
    }
    return null;
  }

  /**
   * Renames the keys of {@code sd} that {@code modelKeys} lacks but knows in the other spelling.
   * Keys that match nothing are kept, so that loading reports them as unexpected. BatchNorm's
   * {@code num_batches_tracked} counters are dropped when the model has none (torchvision's
   * {@code FrozenBatchNorm2d} drops them the same way).
   */
  public static Normalized normalize(StateDict sd, Set<String> modelKeys) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    Map<String, String> renamed = new LinkedHashMap<>();
    List<String> dropped = new ArrayList<>();
    for (Map.Entry<String, TensorData> e : sd.tensors().entrySet()) {
      String key = e.getKey();
      String target = key;
      if (!modelKeys.contains(key)) {
        if (key.endsWith(".num_batches_tracked")) {
          dropped.add(key);
          continue;
        }
        String alt = alternative(key);
        // never let a renamed entry shadow one the checkpoint already has under the model's name
        if (alt != null && modelKeys.contains(alt) && !sd.contains(alt)) {
          target = alt;
          renamed.put(key, alt);
        }
      }
      out.put(target, e.getValue());
    }
    return new Normalized(new StateDict(out, sd.metadata()), renamed, dropped);
  }
}
