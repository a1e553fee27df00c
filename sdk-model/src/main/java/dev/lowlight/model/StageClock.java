package dev.lowlight.model;

/**
 * Told when each stage of a forward pass ends, so that a benchmark times the stages of the very
 * inference or training step the model runs ({@code lowlight bench infer --eager}, {@code lowlight
 * bench train}) instead of a copy of it. PyTorch's CPU operations are synchronous, so the wall-clock
 * time between two calls is that stage's time; on a GPU a clock that synchronises is needed.
 */
public interface StageClock {

  /** A clock that does nothing. */
  StageClock NONE = stage -> {};

  /**
   * {@code stage} has just ended: {@code transform}, {@code backbone}, {@code fpn}, {@code rpn},
   * {@code roialign}, {@code heads}, {@code post} (inference) or {@code loss} (training).
   */
  void lap(String stage);

  /** In training: how many RoIs the box head saw and how many of them were positive (fed to the mask head). */
  default void sampled(int rois, int positives) {}
}
