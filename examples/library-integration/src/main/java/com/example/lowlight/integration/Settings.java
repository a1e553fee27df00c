package com.example.lowlight.integration;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The program's arguments, {@code --name value} pairs.
 *
 * @param output output directory ({@code --output}, default {@code library-integration-output})
 * @param trainAnn clean training annotations ({@code --train-ann}); {@code null} generates scenes
 * @param trainImages their images ({@code --train-images})
 * @param valAnn clean validation annotations ({@code --val-ann}); {@code null} generates scenes
 * @param valImages their images ({@code --val-images})
 * @param trainCount scenes generated for training ({@code --train-count}, default 48)
 * @param valCount scenes generated for validation ({@code --val-count}, default 16)
 * @param config model configuration file ({@code --config}); {@code null} uses the bundled
 *     {@code wnlb-tiny.yaml}
 * @param pretrainIterations iterations on the clean images ({@code --pretrain-iterations}, default 300)
 * @param finetuneIterations iterations on the dark images ({@code --finetune-iterations}, default 100)
 * @param seed seed of data, synthesis and training ({@code --seed}, default 1)
 * @param device {@code auto}, {@code cpu} or {@code gpu[:N]} ({@code --device}, default auto)
 */
public record Settings(Path output, Path trainAnn, Path trainImages, Path valAnn, Path valImages, int trainCount,
    int valCount, Path config, int pretrainIterations, int finetuneIterations, long seed, String device) {

  private static final List<String> NAMES = List.of("--output", "--train-ann", "--train-images", "--val-ann",
      "--val-images", "--train-count", "--val-count", "--config", "--pretrain-iterations", "--finetune-iterations",
      "--seed", "--device");

  /** Checks that paired paths come together and counts are positive. */
  public Settings {
    if ((trainAnn == null) != (trainImages == null) || (valAnn == null) != (valImages == null)) {
      throw new IllegalArgumentException("--train-ann goes with --train-images, --val-ann with --val-images");
    }
    for (int v : new int[] {trainCount, valCount, pretrainIterations, finetuneIterations}) {
      if (v < 1) {
        throw new IllegalArgumentException("counts and iterations must be >= 1, got " + v);
      }
    }
  }

  /**
   * Parses {@code --name value} pairs.
   *
   * @throws IllegalArgumentException naming an unknown argument, one without a value, or a bad number
   */
  public static Settings parse(String... args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!NAMES.contains(args[i])) {
        throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: " + NAMES);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      m.put(args[i], args[i + 1]);
    }
    return new Settings(Path.of(m.getOrDefault("--output", "library-integration-output")), path(m, "--train-ann"),
        path(m, "--train-images"), path(m, "--val-ann"), path(m, "--val-images"), number(m, "--train-count", 48),
        number(m, "--val-count", 16), path(m, "--config"), number(m, "--pretrain-iterations", 300),
        number(m, "--finetune-iterations", 100), number(m, "--seed", 1), m.getOrDefault("--device", "auto"));
  }

  private static Path path(Map<String, String> m, String name) {
    return m.containsKey(name) ? Path.of(m.get(name)) : null;
  }

  private static int number(Map<String, String> m, String name, int fallback) {
    try {
      return m.containsKey(name) ? Integer.parseInt(m.get(name)) : fallback;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a whole number: '" + m.get(name) + "'");
    }
  }
}
