package dev.lowlight.model.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime (CPU) on the exported graph against {@link MaskRcnn#predict} on the same weights:
 * the same detections, boxes within 1e-3 px, scores within 1e-4, mask IoU above 0.99.
 */
class OnnxExportParityTest {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxExportParityTest.class);

  static final float BOX_TOL = 1e-3f;
  static final float SCORE_TOL = 1e-4f;
  static final double MASK_IOU = 0.99;

  static List<RgbImage> images() {
    return List.of(ExportFixtures.scene(120, 90, 1), ExportFixtures.scene(70, 131, 2),
        ExportFixtures.scene(200, 61, 5), ExportFixtures.noise(53, 37, 3), RgbImage.black(64, 48),
        RgbImage.black(1, 1));
  }

  @Test
  void defaultStructureMatchesEager() throws Exception {
    Stats s = parity(ExportFixtures.SMALL, PluginRegistry.load(), ExportOptions.defaults(), images(), 11);
    assertThat(s.detections).as("the parity test needs detections to compare").isGreaterThan(50);
  }

  @Test
  @Tag("slow")
  void weightedNonLocalModelMatchesEager() throws Exception {
    Stats s = parity(ExportFixtures.SMALL + "denoise: {name: weighted-non-local, stages: [res5]}\n",
        PluginRegistry.load(), ExportOptions.defaults(), images().subList(0, 2), 12);
    assertThat(s.detections).isGreaterThan(20);
  }

  @Test
  @Tag("slow")
  void differentInputSizeMatchesEager() throws Exception {
    String config = ExportFixtures.SMALL.replace("transform: {min_size: 96, max_size: 128}",
        "transform: {min_size: 160, max_size: 200, size_divisible: 64}");
    Stats s = parity(config, PluginRegistry.load(), ExportOptions.defaults(), images().subList(1, 3), 13);
    assertThat(s.detections).isGreaterThan(20);
  }

  @Test
  @Tag("slow")
  void staticSizeGraphMatchesEager() throws Exception {
    Stats s = parity(ExportFixtures.SMALL, PluginRegistry.load(), ExportOptions.defaults().withStaticSize(90, 120),
        List.of(ExportFixtures.scene(120, 90, 7)), 14);
    assertThat(s.detections).isGreaterThan(10);
  }

  @Test
  @Tag("slow")
  void thirdPartyDenoiserExportsWithNoChangeToTheModel() throws Exception {
    PluginRegistry registry = PluginRegistry.builder().register(new TestGainDenoiserProvider()).build();
    Stats s = parity(ExportFixtures.SMALL + "denoise: {name: test-gain, stages: [res2, res5]}\n", registry,
        ExportOptions.defaults(), images().subList(0, 1), 15);
    assertThat(s.detections).isGreaterThan(10);
  }

  @Test
  void nothingFoundGivesEmptyOutputsOfTheRightTypes() throws Exception {
    // no detection above the score threshold; and, separately, no proposal at all
    String noDetections = ExportFixtures.SMALL.replace("roi_heads:\n", "roi_heads:\n  score_thresh: 1.0\n");
    String noProposals = ExportFixtures.SMALL + "rpn: {score_thresh: 1.0}\n";
    List<RgbImage> empty = List.of(RgbImage.black(64, 48), ExportFixtures.noise(40, 30, 9), RgbImage.black(1, 1));
    assertThat(parity(noDetections, PluginRegistry.load(), ExportOptions.defaults(), empty, 16).detections).isZero();
    assertThat(parity(noProposals, PluginRegistry.load(), ExportOptions.defaults(), empty.subList(0, 1), 16)
        .detections).isZero();
  }

  /** Counts and worst differences over a set of images. */
  static final class Stats {
    int detections;
    double maxBox;
    double maxScore;
    double minMaskIou = 1;
  }

  static Stats parity(String yaml, PluginRegistry registry, ExportOptions options, List<RgbImage> images, long seed)
      throws OrtException {
    ModelConfig config = ConfigLoader.parse(yaml, true);
    Stats stats = new Stats();
    try (NDManager m = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(config).optRegistry(registry).build().initialize(m);
      ExportFixtures.randomize(model, seed);
      long t0 = System.nanoTime();
      OnnxExporter.Built built = OnnxExporter.build(model, options);
      long exportMs = (System.nanoTime() - t0) / 1_000_000;
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
        so.setIntraOpNumThreads(1);
        try (OrtSession session = env.createSession(built.model().toByteArray(), so)) {
          for (RgbImage image : images) {
            Predictions eager = model.predict(image);
            Predictions onnx = ExportFixtures.run(session, image);
            compare(eager, onnx, image, stats);
          }
        }
      }
      LOG.info("parity: {} detections, max box diff {} px, max score diff {}, min mask IoU {}; {} nodes, {} folded,"
          + " export {} ms", stats.detections, stats.maxBox, stats.maxScore, stats.minMaskIou,
          built.model().getGraph().getNodeCount(), built.folded(), exportMs);
    }
    return stats;
  }

  static void compare(Predictions eager, Predictions onnx, RgbImage image, Stats stats) {
    String where = "image " + image.width() + "x" + image.height();
    assertThat(onnx.size()).as(where + ": detection count").isEqualTo(eager.size());
    int plane = eager.maskSize() * eager.maskSize();
    if (eager.size() > 0) {
      assertThat(onnx.maskSize()).as(where).isEqualTo(eager.maskSize());
    }
    boolean[] used = new boolean[onnx.size()];
    for (int i = 0; i < eager.size(); i++) {
      // detections are matched by label and box, so near-ties in score may come in either order
      int best = -1;
      double bestDiff = Double.MAX_VALUE;
      for (int j = 0; j < onnx.size(); j++) {
        if (!used[j] && onnx.labels()[j] == eager.labels()[i]) {
          double d = 0;
          for (int c = 0; c < 4; c++) {
            d = Math.max(d, Math.abs(onnx.boxes()[4 * j + c] - eager.boxes()[4 * i + c]));
          }
          if (d < bestDiff) {
            bestDiff = d;
            best = j;
          }
        }
      }
      assertThat(best).as(where + ": detection " + i + " (label " + eager.labels()[i] + ") has no match").isNotNegative();
      used[best] = true;
      double ds = Math.abs(onnx.scores()[best] - eager.scores()[i]);
      int inter = 0;
      int union = 0;
      for (int k = 0; k < plane; k++) {
        boolean a = eager.masks()[i * plane + k] > 0.5f;
        boolean b = onnx.masks()[best * plane + k] > 0.5f;
        inter += a && b ? 1 : 0;
        union += a || b ? 1 : 0;
      }
      double iou = union == 0 ? 1 : (double) inter / union;
      assertThat(bestDiff).as(where + ": box of detection " + i).isLessThan(BOX_TOL);
      assertThat(ds).as(where + ": score of detection " + i).isLessThan(SCORE_TOL);
      assertThat(iou).as(where + ": mask IoU of detection " + i).isGreaterThan(MASK_IOU);
      stats.maxBox = Math.max(stats.maxBox, bestDiff);
      stats.maxScore = Math.max(stats.maxScore, ds);
      stats.minMaskIou = Math.min(stats.minMaskIou, iou);
    }
    stats.detections += eager.size();
  }

}
