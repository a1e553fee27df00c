package dev.lowlight.train;

import ai.djl.nn.Parameter;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.train.optim.TrainableParameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which parts of the model train, by the name {@code solver.trainable} gives:
 *
 * <ul>
 *   <li>{@code all}: every parameter that requires a gradient;
 *   <li>{@code backbone-only}: the paper's recipe as this SDK reads it, only {@code backbone.body.*}
 *       and {@code backbone.denoise.*} train; the FPN, the RPN and the RoI heads stay frozen;
 *   <li>{@code backbone-fpn}: the backbone as torchvision ({@code model.backbone} is the body plus
 *       the FPN) and Detectron2 (the FPN is its {@code backbone}) count it: {@code backbone.body.*},
 *       {@code backbone.denoise.*} and {@code backbone.fpn.*} train; the RPN and the RoI heads stay
 *       frozen. The paper says "backbone" without saying which;
 *   <li>{@code heads-only}: only {@code rpn.*} and {@code roi_heads.*} train.
 * </ul>
 *
 * <p>Within the backbone body, the backbone's own {@code trainable_layers} (and frozen batch norm)
 * have already frozen parameters when the model was built; this policy never unfreezes them.
 * Denoiser parameters train whenever the backbone does. {@link #apply} freezes every parameter
 * outside the policy ({@link Parameter#freeze}), so the backward pass does not compute their
 * gradients, and returns the others.
 *
 * <pre>{@code
 * List<TrainableParameter> trainable = FreezePolicy.of(config.solver().trainable()).apply(model);
 * }</pre>
 */
public enum FreezePolicy {
  /** Everything trainable trains. */
  ALL("all"),
  /** Only the backbone body (with its denoisers) trains. */
  BACKBONE_ONLY("backbone-only"),
  /** The backbone body, its denoisers and the FPN train. */
  BACKBONE_FPN("backbone-fpn"),
  /** Only the RPN and RoI heads train. */
  HEADS_ONLY("heads-only");

  private final String configName;

  FreezePolicy(String configName) {
    this.configName = configName;
  }

  /** The name in the configuration. */
  public String configName() {
    return configName;
  }

  /** The policy called {@code name} in a configuration. */
  public static FreezePolicy of(String name) {
    for (FreezePolicy p : values()) {
      if (p.configName.equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown freeze policy '" + name + "'; valid: " + configNames());
  }

  /** Every configuration name, in declaration order. */
  public static List<String> configNames() {
    return Arrays.stream(values()).map(FreezePolicy::configName).toList();
  }

  /** Whether the policy lets the parameter called {@code name} train (if it requires a gradient). */
  public boolean allows(String name) {
    boolean backbone = name.startsWith("backbone.body.") || name.startsWith("backbone.denoise.");
    boolean heads = name.startsWith("rpn.") || name.startsWith("roi_heads.");
    return switch (this) {
      case ALL -> true;
      case BACKBONE_ONLY -> backbone;
      case BACKBONE_FPN -> backbone || name.startsWith("backbone.fpn.");
      case HEADS_ONLY -> heads;
    };
  }

  /**
   * Freezes what the policy excludes and returns the trainable parameters, in the model's
   * registration order.
   */
  public List<TrainableParameter> apply(MaskRcnn model) {
    List<TrainableParameter> out = new ArrayList<>();
    for (Map.Entry<String, Parameter> e : TorchNames.parameters(model.parameters()).entrySet()) {
      Parameter p = e.getValue();
      if (!p.requiresGradient()) {
        continue;
      }
      if (allows(e.getKey())) {
        out.add(new TrainableParameter(e.getKey(), p));
      } else {
        p.freeze(true);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return configName.toLowerCase(Locale.ROOT);
  }
}
