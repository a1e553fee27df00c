package dev.lowlight.heads;

import static dev.lowlight.heads.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowlight.api.spi.HeadContext;
import dev.lowlight.api.structures.ShapeSpec;
import dev.lowlight.heads.anchors.AnchorGenerator;
import dev.lowlight.heads.mask.MaskPaster;
import dev.lowlight.heads.mask.MaskRcnnConvHeadProvider;
import dev.lowlight.heads.ops.Boxes;
import dev.lowlight.heads.ops.Nms;
import dev.lowlight.heads.roi.MultiScaleRoiAlign;
import dev.lowlight.heads.roi.RoiAlign;
import dev.lowlight.heads.rpn.RpnHeadProvider;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Behaviour beyond the torchvision fixtures: chunking, empty inputs, bad input messages. */
class OpsBehaviourTest {

  @Test
  void roiAlignSpansSeveralChunksAndStillEqualsTheReference() {
    Random random = new Random(11);
    int c = 64;
    int h = 20;
    int w = 24;
    float[] feats = new float[2 * c * h * w];
    for (int i = 0; i < feats.length; i++) {
      feats[i] = (float) random.nextGaussian();
    }
    // 400 RoIs × 49 bins × 16 taps × 64 channels is above one chunk's budget
    float[] rois = new float[5 * 400];
    for (int i = 0; i < 400; i++) {
      float x = random.nextFloat() * 90 - 5;
      float y = random.nextFloat() * 75 - 5;
      rois[5 * i] = i % 2;
      rois[5 * i + 1] = x;
      rois[5 * i + 2] = y;
      rois[5 * i + 3] = x + 1 + random.nextFloat() * 40;
      rois[5 * i + 4] = y + 1 + random.nextFloat() * 40;
    }
    RoiAlign align = new RoiAlign(7, 7, 0.25f, 2);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray out = align.apply(m.create(feats, new Shape(2, c, h, w)), rois);
      assertThat(out.getShape()).isEqualTo(new Shape(400, c, 7, 7));
      assertClose("chunked RoIAlign", out.toFloatArray(), align.reference(feats, 2, c, h, w, rois), 1e-4);
    }
  }

  @Test
  void emptyInputsGiveEmptyOutputs() {
    assertThat(Nms.nms(new float[0], new float[0], 0.5f)).isEmpty();
    assertThat(Nms.batchedNms(new float[0], new float[0], new int[0], 0.5f)).isEmpty();
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray f = m.zeros(new Shape(1, 3, 8, 8));
      assertThat(new RoiAlign(7, 7, 0.25f, 2).apply(f, new float[0]).getShape()).isEqualTo(new Shape(0, 3, 7, 7));
      MultiScaleRoiAlign pool = MultiScaleRoiAlign.fromStrides(7, 2, 4, 8);
      assertThat(pool.apply(new NDList(f, m.zeros(new Shape(1, 3, 4, 4))), List.of(new float[0])).getShape())
          .isEqualTo(new Shape(0, 3, 7, 7));
    }
    assertThat(MaskPaster.paste(new float[0], 28, new float[0], 5, 5)).isEmpty();
  }

  @Test
  void nmsKeepsEqualIouAndDropsHigher() {
    // two boxes with IoU exactly 0.5: suppression needs IoU strictly above the threshold
    float[] boxes = {0, 0, 2, 1, 0, 0, 1, 1};
    assertThat(Nms.nms(boxes, new float[] {0.9f, 0.8f}, 0.5f)).containsExactly(0, 1);
    assertThat(Nms.nms(boxes, new float[] {0.9f, 0.8f}, 0.49f)).containsExactly(0);
    assertThat(Nms.batchedNms(boxes, new float[] {0.8f, 0.9f}, new int[] {1, 2}, 0.1f)).containsExactly(1, 0);
  }

  @Test
  void maskFillsItsBoxAfterPasting() {
    float[] ones = new float[28 * 28];
    java.util.Arrays.fill(ones, 1f);
    boolean[] bin = MaskPaster.binarize(MaskPaster.paste(ones, 28, new float[] {10, 20, 40, 50}, 64, 64), 0.5f);
    int on = 0;
    for (boolean b : bin) {
      on += b ? 1 : 0;
    }
    // a full mask covers its box (31 × 31 pixels, inclusive ends) and nothing far outside
    assertThat(on).isBetween(31 * 31, 33 * 33);
    assertThat(bin[25 * 64 + 30]).isTrue();
    assertThat(bin[5 * 64 + 5]).isFalse();
  }

  @Test
  void badInputsAreNamed() {
    assertThatThrownBy(() -> Boxes.count(new float[5])).hasMessageContaining("length 5");
    assertThatThrownBy(() -> Nms.nms(new float[8], new float[3], 0.5f)).hasMessageContaining("2 boxes, 3 scores");
    assertThatThrownBy(() -> new RpnHeadProvider.Options(0, 1)).hasMessageContaining("num_anchors");
    assertThatThrownBy(() -> new MaskRcnnConvHeadProvider.Options(List.of(256, 0), 1, 256))
        .hasMessageContaining("layers[1]");
    HeadContext mixed = new HeadContext(Map.of("p2", new ShapeSpec(256, 4), "p3", new ShapeSpec(128, 8)), 3);
    RpnHeadProvider rpn = new RpnHeadProvider();
    assertThatThrownBy(() -> rpn.create(rpn.defaultOptions(), mixed)).hasMessageContaining("equal channels");
    assertThatThrownBy(() -> AnchorGenerator.defaults().anchors(64, 64, new int[][] {{16, 16}}))
        .hasMessageContaining("5 levels").hasMessageContaining("1 feature maps");
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray f = m.zeros(new Shape(1, 3, 8, 8));
      assertThatThrownBy(() -> new RoiAlign(7, 7, 0.25f, 2).apply(f, new float[] {1, 0, 0, 4, 4}))
          .hasMessageContaining("batch index 1.0");
    }
  }
}
