package dev.lowlight.train.checkpoint;

import java.util.List;

/**
 * Where a run stands, saved with each checkpoint (as {@code state.json}).
 *
 * <p>There are no random-generator states to store: the anchor and RoI sampling of iteration
 * {@code i} is seeded from {@code (seed, i)} and the engine's generator is re-seeded from them at
 * each iteration, so {@code seed} and {@code iteration} restore every random stream.
 *
 * @param iteration iterations completed (the next one to run)
 * @param dataPosition the batch source's {@code position()} after the last batch used
 * @param seed the run's seed
 * @param optimizer the optimizer's name
 * @param lr the learning rate of the last iteration
 * @param bestAp the best validation AP so far (segm AP when masks are evaluated, else bbox), or -1
 * @param bestIteration the iteration of that AP, or -1
 * @param lossHistory the iterations whose metrics are already in {@code metrics.jsonl} (its line count)
 * @param denoiserNames names of the denoiser weights logged at validation
 */
public record CheckpointState(int iteration, long dataPosition, long seed, String optimizer, double lr, double bestAp,
    int bestIteration, long lossHistory, List<String> denoiserNames) {

  public CheckpointState {
    denoiserNames = denoiserNames == null ? List.of() : List.copyOf(denoiserNames);
  }
}
