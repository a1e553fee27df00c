package dev.lowlight.api.config;

import java.util.List;
import java.util.Map;

/**
 * Which denoiser goes into the backbone and after which stages.
 *
 * @param name the denoiser plugin, or {@code none}
 * @param stages the backbone stages after which an instance is inserted ({@code res2..res5} for
 *     ResNet); the backbone checks them against the insertion points it declares when the model is
 *     built
 * @param options the plugin's options
 */
public record DenoiseConfig(String name, List<String> stages, Map<String, Object> options) {

  /** The value of {@code name} that inserts nothing. */
  public static final String NONE = "none";

  public DenoiseConfig {
    Check.required("name", name);
    stages = stages == null ? List.of("res3", "res4", "res5") : List.copyOf(stages);
    for (int i = 0; i < stages.size(); i++) {
      Check.required("stages[" + i + "]", stages.get(i));
      if (stages.indexOf(stages.get(i)) != i) {
        throw new Check.InvalidValueException("stages[" + i + "]", "repeats '" + stages.get(i) + "'");
      }
    }
    // file order, not Map.copyOf's per-JVM random order: what is written back must not vary by run
    options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
  }

  /** Whether a denoiser is configured. */
  public boolean enabled() {
    return !NONE.equals(name);
  }

  /** The plugin reference, when {@link #enabled()}. */
  public PluginRef plugin() {
    return new PluginRef(name, options);
  }
}
