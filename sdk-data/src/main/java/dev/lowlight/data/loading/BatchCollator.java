package dev.lowlight.data.loading;

import java.util.ArrayList;
import java.util.List;

/**
 * Pads prepared images into one batch, as torchvision's {@code GeneralizedRCNNTransform.batch_images}:
 * every image at the top left of an {@code N × 3 × H × W} block of zeros, {@code H} and {@code W}
 * the largest height and width rounded up to a multiple of {@code sizeDivisible}. The zeros are
 * applied after normalisation, so padding is the mean colour, not black.
 */
final class BatchCollator {

  private final int sizeDivisible;

  BatchCollator(int sizeDivisible) {
    this.sizeDivisible = sizeDivisible;
  }

  /** The batch at position {@code p} (its {@link Batch#position()} is {@code p + 1}). */
  Batch collate(List<PreparedImage> samples, long p) {
    int n = samples.size();
    int maxH = 0;
    int maxW = 0;
    for (PreparedImage s : samples) {
      maxH = Math.max(maxH, s.target().height());
      maxW = Math.max(maxW, s.target().width());
    }
    int ph = roundUp(maxH);
    int pw = roundUp(maxW);
    float[] images = new float[n * 3 * ph * pw];
    List<TrainingTarget> targets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      PreparedImage s = samples.get(i);
      int h = s.target().height();
      int w = s.target().width();
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < h; y++) {
          System.arraycopy(s.chw(), (c * h + y) * w, images, ((i * 3 + c) * ph + y) * pw, w);
        }
      }
      targets.add(s.target());
    }
    return new Batch(images, ph, pw, targets, p + 1);
  }

  private int roundUp(int v) {
    return (v + sizeDivisible - 1) / sizeDivisible * sizeDivisible;
  }
}
