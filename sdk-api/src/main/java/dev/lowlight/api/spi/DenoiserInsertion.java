package dev.lowlight.api.spi;

import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Where and what a backbone inserts: the denoiser plugin's name, the stages after which an
 * instance goes ({@code res2..res5}), and a factory giving a fresh block for a channel count.
 *
 * @param denoiser plugin name, for logs and parameter reports
 * @param stages stage names after which to insert, for example {@code [res3, res4, res5]}
 * @param factory a new block for the given channel count
 */
public record DenoiserInsertion(String denoiser, List<String> stages, IntFunction<DenoisingBlock> factory) {

  /** Inserts nothing. */
  public static final DenoiserInsertion NONE = new DenoiserInsertion("none", List.of(), c -> {
    throw new IllegalStateException("no denoiser configured");
  });

  public DenoiserInsertion {
    stages = List.copyOf(stages);
    if (Set.copyOf(stages).size() != stages.size()) {
      throw new IllegalArgumentException("denoiser stages repeat: " + stages);
    }
  }

  /** Whether a block goes after {@code stage}. */
  public boolean after(String stage) {
    return stages.contains(stage);
  }
}
