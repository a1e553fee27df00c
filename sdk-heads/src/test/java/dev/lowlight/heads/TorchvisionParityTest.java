package dev.lowlight.heads;

import static dev.lowlight.heads.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.heads.anchors.AnchorGenerator;
import dev.lowlight.heads.box.BoxPostProcessor;
import dev.lowlight.heads.box.TwoMlpBoxHead;
import dev.lowlight.heads.mask.MaskPaster;
import dev.lowlight.heads.mask.MaskPostProcessor;
import dev.lowlight.heads.mask.MaskRcnnConvHead;
import dev.lowlight.heads.ops.BoxCoder;
import dev.lowlight.heads.ops.Boxes;
import dev.lowlight.heads.ops.Detections;
import dev.lowlight.heads.ops.Nms;
import dev.lowlight.heads.roi.MultiScaleRoiAlign;
import dev.lowlight.heads.roi.HostLevels;
import dev.lowlight.heads.roi.RoiAlign;
import dev.lowlight.heads.roi.RoiAlignKernel;
import dev.lowlight.heads.rpn.ProposalSelector;
import dev.lowlight.heads.rpn.RpnHead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stage-by-stage comparison with torchvision 0.14, fixtures from tools/fixtures/make_head_fixtures.py. */
class TorchvisionParityTest {

  private static final Logger LOG = LoggerFactory.getLogger(TorchvisionParityTest.class);
  private static final double RTOL = 1e-4;

  @Test
  void anchorsEqualTorchvision() {
    Fixture f = Fixture.load("anchors");
    int[] image = f.ints("image_size");
    int[][] sizes = new int[5][];
    for (int l = 0; l < 5; l++) {
      var a = f.param("feature_sizes").getAsJsonArray().get(l).getAsJsonArray();
      sizes[l] = new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
    }
    AnchorGenerator gen = AnchorGenerator.defaults();
    float[] cells = new float[0];
    for (int l = 0; l < 5; l++) {
      cells = concat(cells, gen.cellAnchors(l));
    }
    assertThat(cells).containsExactly(f.floats("cell_anchors"));
    float[] all = new float[0];
    for (float[] a : gen.anchors(image[0], image[1], sizes)) {
      all = concat(all, a);
    }
    assertThat(all).containsExactly(f.floats("anchors"));
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      assertThat(gen.anchors(m, image[0], image[1], sizes).toFloatArray()).containsExactly(f.floats("anchors"));
    }
  }

  @Test
  void iouNmsAndBatchedNmsEqualTorchvision() {
    Fixture f = Fixture.load("box_ops");
    double worst = assertClose("box_iou", Boxes.iou(f.floats("iou_a"), f.floats("iou_b")), f.floats("iou"), RTOL);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray a = m.create(f.floats("iou_a"), new Shape(20, 4));
      NDArray b = m.create(f.floats("iou_b"), new Shape(15, 4));
      assertClose("box_iou (DJL)", Boxes.iou(a, b).toFloatArray(), f.floats("iou"), RTOL);
    }
    float[] boxes = f.floats("nms_boxes");
    float[] scores = f.floats("nms_scores");
    int[] classes = f.ints("nms_classes", true);
    for (String t : List.of("0.3", "0.5", "0.7")) {
      int[] keep = Nms.nms(boxes, scores, Float.parseFloat(t));
      assertThat(keep).as("nms keep at %s", t).containsExactly(f.ints("nms_keep_" + t, true));
      int[] bkeep = Nms.batchedNms(boxes, scores, classes, Float.parseFloat(t));
      assertThat(bkeep).as("batched_nms keep at %s", t).containsExactly(f.ints("batched_nms_keep_" + t, true));
      assertThat(bkeep.length).isGreaterThan(keep.length);
    }
    LOG.info("box_iou worst relative error {}", worst);
  }

  @Test
  void boxCoderEqualsTorchvision() {
    Fixture f = Fixture.load("box_ops");
    float[] proposals = f.floats("coder_proposals");
    float[] gt = f.floats("coder_gt");
    float[] deltas = f.floats("coder_deltas");
    assertClose("encode roi", BoxCoder.ROI.encode(gt, proposals), f.floats("encode_roi"), RTOL);
    assertClose("encode rpn", BoxCoder.RPN.encode(gt, proposals), f.floats("encode_rpn"), RTOL);
    assertClose("decode roi", BoxCoder.ROI.decode(deltas, proposals), f.floats("decode_roi"), RTOL);
    assertClose("decode rpn", BoxCoder.RPN.decode(deltas, proposals), f.floats("decode_rpn"), RTOL);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray p = m.create(proposals, new Shape(30, 4));
      assertClose("decode roi (DJL)", BoxCoder.ROI.decode(m.create(deltas, new Shape(30, 8)), p).toFloatArray(),
          f.floats("decode_roi"), RTOL);
      assertClose("encode roi (DJL)", BoxCoder.ROI.encode(m.create(gt, new Shape(30, 4)), p).toFloatArray(),
          f.floats("encode_roi"), RTOL);
    }
  }

  @Test
  void roiAlignEqualsTorchvisionForEverySamplingRatio() {
    Fixture f = Fixture.load("roi_align");
    float[] feats = f.floats("features");
    float[] rois = f.floats("rois");
    float scale = f.param("spatial_scale").getAsFloat();
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = m.create(feats, new Shape(f.shape("features")));
      for (int sr : new int[] {2, -1, 1}) {
        RoiAlign align = new RoiAlign(3, 4, scale, sr);
        float[] expected = f.floats("out_sr" + sr);
        double ref = assertClose("roi_align reference sr=" + sr, align.reference(feats, 2, 3, 10, 12, rois), expected,
            RTOL);
        NDArray out = align.apply(x, rois);
        assertThat(out.getShape()).isEqualTo(new Shape(f.shape("out_sr" + sr)));
        double djl = assertClose("roi_align DJL sr=" + sr, out.toFloatArray(), expected, RTOL);
        LOG.info("roi_align sr={} worst relative error: reference {}, DJL {}", sr, ref, djl);
      }
    }
  }

  @Test
  void roiAlignGradientReachesTheFeaturesAsInTorchvision() {
    Fixture f = Fixture.load("roi_align");
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = m.create(f.floats("features"), new Shape(f.shape("features")));
      x.setRequiresGradient(true);
      NDArray w = m.create(f.floats("grad_weights"), new Shape(f.shape("grad_weights")));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = new RoiAlign(3, 4, f.param("spatial_scale").getAsFloat(), 2).apply(x, f.floats("rois"));
        gc.backward(out.mul(w).sum());
      }
      double worst = assertClose("roi_align gradient", x.getGradient().toFloatArray(), f.floats("grad_features"),
          RTOL);
      LOG.info("roi_align gradient worst relative error {}", worst);
    }
  }

  @Test
  void javaRoiAlignKernelEqualsTorchvisionForEverySamplingRatio() {
    Fixture f = Fixture.load("roi_align");
    float[] feats = f.floats("features");
    float[] rois = f.floats("rois");
    float scale = f.param("spatial_scale").getAsFloat();
    int n = 2;
    int c = 3;
    int h = 10;
    int w = 12;
    float[] nhwc = new float[feats.length];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < h * w; p++) {
          nhwc[(b * h * w + p) * c + ch] = feats[(b * c + ch) * h * w + p];
        }
      }
    }
    for (int sr : new int[] {2, -1, 1}) {
      RoiAlignKernel.Taps taps = RoiAlignKernel.taps(rois, 3, 4, scale, sr, n, h, w);
      float[] rows = RoiAlignKernel.forward(taps, nhwc, c);
      float[] expected = f.floats("out_sr" + sr);
      float[] nchw = new float[expected.length];
      int bins = 12;
      for (int r = 0; r < rois.length / 5; r++) {
        for (int b = 0; b < bins; b++) {
          for (int ch = 0; ch < c; ch++) {
            nchw[(r * c + ch) * bins + b] = rows[(r * bins + b) * c + ch];
          }
        }
      }
      double worst = assertClose("roi_align Java kernel sr=" + sr, nchw, expected, RTOL);
      LOG.info("roi_align Java kernel sr={} worst relative error {}", sr, worst);
    }
  }

  @Test
  void javaRoiAlignKernelGradientEqualsTorchvisions() {
    Fixture f = Fixture.load("roi_align");
    int n = 2;
    int c = 3;
    int h = 10;
    int w = 12;
    int bins = 12;
    float[] rois = f.floats("rois");
    float[] weights = f.floats("grad_weights");
    int r = rois.length / 5;
    float[] upstream = new float[weights.length];
    for (int i = 0; i < r; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int b = 0; b < bins; b++) {
          upstream[(i * bins + b) * c + ch] = weights[(i * c + ch) * bins + b];
        }
      }
    }
    RoiAlignKernel.Taps taps = RoiAlignKernel.taps(rois, 3, 4, f.param("spatial_scale").getAsFloat(), 2, n, h, w);
    float[] grad = RoiAlignKernel.backward(taps, upstream, c, n * h * w);
    float[] nchw = new float[grad.length];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < h * w; p++) {
          nchw[(b * c + ch) * h * w + p] = grad[(b * h * w + p) * c + ch];
        }
      }
    }
    double worst = assertClose("roi_align Java kernel gradient", nchw, f.floats("grad_features"), RTOL);
    LOG.info("roi_align Java kernel gradient worst relative error {}", worst);
  }

  @Test
  void multiScaleRoiAlignEqualsTorchvision() {
    Fixture f = Fixture.load("multiscale_roi_align");
    MultiScaleRoiAlign pool = MultiScaleRoiAlign.fromStrides(7, 2, 4, 8, 16, 32);
    var scales = f.param("scales").getAsJsonArray();
    int[] image = f.ints("image_size");
    for (int i = 0; i < 4; i++) {
      int fh = (int) f.shape("p" + (i + 2))[2];
      assertThat(MultiScaleRoiAlign.inferScale(fh, image[0])).isEqualTo(scales.get(i).getAsFloat());
      assertThat(pool.scales()[i]).isEqualTo(scales.get(i).getAsFloat());
    }
    float[] boxes = f.floats("boxes");
    int[] levels = pool.levels(boxes);
    assertThat(levels).containsExactly(f.ints("levels", true));
    assertThat(Arrays.stream(levels).distinct().count()).as("boxes spread over levels").isGreaterThanOrEqualTo(3);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDList feats = new NDList();
      for (int i = 0; i < 4; i++) {
        feats.add(m.create(f.floats("p" + (i + 2)), new Shape(f.shape("p" + (i + 2)))));
      }
      NDArray out = pool.apply(feats, List.of(boxes));
      assertThat(out.getShape()).isEqualTo(new Shape(f.shape("out")));
      double worst = assertClose("MultiScaleRoIAlign", out.toFloatArray(), f.floats("out"), RTOL);
      NDArray host = pool.pool(new HostLevels(feats), List.of(boxes), false).values();
      assertThat(host.getShape()).isEqualTo(new Shape(f.shape("out")));
      double worstHost = assertClose("MultiScaleRoIAlign (Java kernel)", host.toFloatArray(), f.floats("out"), RTOL);
      LOG.info("MultiScaleRoIAlign worst relative error {}, Java kernel {}", worst, worstHost);
    }
  }

  @Test
  void pastedMasksEqualTorchvision() {
    Fixture f = Fixture.load("paste_masks");
    int[] size = f.ints("image_size");
    float[] pasted = MaskPaster.paste(f.floats("masks"), 28, f.floats("boxes"), size[0], size[1]);
    float[] expected = f.floats("pasted");
    double worst = assertClose("paste_masks_in_image", pasted, expected, RTOL);
    boolean[] ours = MaskPaster.binarize(pasted, MaskPaster.THRESHOLD);
    boolean[] theirs = MaskPaster.binarize(expected, MaskPaster.THRESHOLD);
    int differ = 0;
    int on = 0;
    for (int i = 0; i < ours.length; i++) {
      differ += ours[i] != theirs[i] ? 1 : 0;
      on += theirs[i] ? 1 : 0;
    }
    assertThat(on).as("mask pixels on").isGreaterThan(500);
    assertThat(differ).as("binary pixels that differ from torchvision").isZero();
    LOG.info("paste_masks worst relative error {}", worst);
  }

  @Test
  void proposalsEqualTorchvision() {
    Fixture f = Fixture.load("proposals");
    int[] padded = f.ints("padded_size");
    int[][] imageSizes = new int[2][];
    for (int i = 0; i < 2; i++) {
      var a = f.param("image_sizes").getAsJsonArray().get(i).getAsJsonArray();
      imageSizes[i] = new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
    }
    AnchorGenerator gen = new AnchorGenerator(List.of(List.of(32), List.of(64), List.of(128)), List.of(0.5, 1.0, 2.0));
    int[][] featureSizes = new int[3][];
    for (int l = 0; l < 3; l++) {
      long[] s = f.shape("objectness" + l);
      featureSizes[l] = new int[] {(int) s[2], (int) s[3]};
    }
    List<float[]> anchors = gen.anchors(padded[0], padded[1], featureSizes);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDList head = new NDList();
      for (int l = 0; l < 3; l++) {
        head.add(m.create(f.floats("objectness" + l), new Shape(f.shape("objectness" + l))));
        head.add(m.create(f.floats("deltas" + l), new Shape(f.shape("deltas" + l))));
      }
      for (String tag : List.of("small", "default")) {
        var p = f.param(tag).getAsJsonObject();
        ProposalSelector sel = new ProposalSelector(p.get("pre_nms_top_n").getAsInt(),
            p.get("post_nms_top_n").getAsInt(), 0.7f, 0f, ProposalSelector.MIN_SIZE);
        List<Detections> out = sel.select(head, anchors, imageSizes);
        for (int i = 0; i < 2; i++) {
          float[] eb = f.floats(tag + "_boxes" + i);
          assertThat(out.get(i).size()).as("%s proposals of image %d", tag, i).isEqualTo(eb.length / 4);
          assertClose(tag + " proposal boxes " + i, out.get(i).boxes(), eb, RTOL);
          assertClose(tag + " proposal scores " + i, out.get(i).scores(), f.floats(tag + "_scores" + i), RTOL);
        }
        LOG.info("proposals ({}): {} and {} per image, equal to torchvision", tag, out.get(0).size(),
            out.get(1).size());
      }
    }
  }

  @Test
  void detectionsAndMaskProbabilitiesEqualTorchvision() {
    Fixture f = Fixture.load("postprocess");
    int k = f.param("num_classes").getAsInt();
    int[][] sizes = new int[2][];
    for (int i = 0; i < 2; i++) {
      var a = f.param("image_sizes").getAsJsonArray().get(i).getAsJsonArray();
      sizes[i] = new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
    }
    BoxPostProcessor post = new BoxPostProcessor(BoxCoder.ROI, 0.05f, 0.5f, 100);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray logits = m.create(f.floats("class_logits"), new Shape(f.shape("class_logits")));
      NDArray regression = m.create(f.floats("box_regression"), new Shape(f.shape("box_regression")));
      List<Detections> dets = post.process(logits, regression,
          List.of(f.floats("proposals0"), f.floats("proposals1")), sizes);
      for (int i = 0; i < 2; i++) {
        Detections d = dets.get(i);
        assertThat(d.labels()).as("labels of image %d", i).containsExactly(f.ints("labels" + i, true));
        assertClose("boxes " + i, d.boxes(), f.floats("boxes" + i), RTOL);
        assertClose("scores " + i, d.scores(), f.floats("scores" + i), RTOL);
        LOG.info("image {}: {} detections equal to torchvision", i, d.size());
      }
      assertThat(dets.get(0).size()).isGreaterThan(10);
      NDArray maskLogits = m.create(f.floats("mask_logits"), new Shape(f.shape("mask_logits")));
      int[] labels = f.ints("mask_labels", true);
      assertClose("mask probabilities", MaskPostProcessor.probabilities(maskLogits, labels).toFloatArray(),
          f.floats("mask_probs"), RTOL);
      assertClose("mask probabilities (Java)", MaskPostProcessor.probabilities(f.floats("mask_logits"), k, 6, labels),
          f.floats("mask_probs"), RTOL);
    }
  }

  @Test
  void headsLoadTorchvisionWeightsByNameAndAgree() {
    Fixture f = Fixture.load("heads");
    int c = f.param("channels").getAsInt();
    int k = f.param("num_classes").getAsInt();
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      RpnHead rpn = RpnHead.builder().setInChannels(c).setNumAnchors(f.param("num_anchors").getAsInt()).build();
      TwoMlpBoxHead box = TwoMlpBoxHead.builder().setInChannels(c).setNumClasses(k)
          .optRepresentationSize(f.param("representation_size").getAsInt()).build();
      MaskRcnnConvHead mask = MaskRcnnConvHead.builder().setInChannels(c).setNumClasses(k)
          .optLayers(List.of(8, 8, 8, 8)).optDimReduced(8).build();
      rpn.initialize(m, DataType.FLOAT32, new Shape(f.shape("rpn_in0")), new Shape(f.shape("rpn_in1")));
      box.initialize(m, DataType.FLOAT32, new Shape(f.shape("box_in")));
      mask.initialize(m, DataType.FLOAT32, new Shape(f.shape("mask_in")));
      List<String> names = new ArrayList<>();
      load(f, "rpn.head.", rpn, names);
      load(f, "roi_heads.", box, names);
      load(f, "roi_heads.", mask, names);
      List<String> expected = new ArrayList<>();
      f.param("state_dict").getAsJsonArray().forEach(e -> expected.add(e.getAsString()));
      assertThat(names).as("every torchvision key maps onto a parameter and back").containsExactlyInAnyOrderElementsOf(
          expected);
      ParameterStore ps = new ParameterStore(m, false);
      NDList r = rpn.forward(ps, new NDList(array(m, f, "rpn_in0"), array(m, f, "rpn_in1")), false);
      for (int l = 0; l < 2; l++) {
        assertClose("rpn objectness " + l, r.get(2 * l).toFloatArray(), f.floats("rpn_obj" + l), RTOL);
        assertClose("rpn deltas " + l, r.get(2 * l + 1).toFloatArray(), f.floats("rpn_deltas" + l), RTOL);
      }
      NDList b = box.forward(ps, new NDList(array(m, f, "box_in")), false);
      assertClose("box scores", b.get(0).toFloatArray(), f.floats("box_scores"), RTOL);
      assertClose("box deltas", b.get(1).toFloatArray(), f.floats("box_deltas"), RTOL);
      NDList ml = mask.forward(ps, new NDList(array(m, f, "mask_in")), false);
      assertThat(ml.singletonOrThrow().getShape()).isEqualTo(new Shape(f.shape("mask_logits")));
      double worst = assertClose("mask logits", ml.singletonOrThrow().toFloatArray(), f.floats("mask_logits"), RTOL);
      LOG.info("mask logits worst relative error {}", worst);
    }
  }

  private static NDArray array(NDManager m, Fixture f, String name) {
    return m.create(f.floats(name), new Shape(f.shape(name)));
  }

  private static void load(Fixture f, String prefix, Block block, List<String> names) {
    for (Map.Entry<String, Parameter> e : TorchNames.parameters(block).entrySet()) {
      String key = prefix + e.getKey();
      NDArray a = e.getValue().getArray();
      assertThat(a.getShape()).as("shape of %s", key).isEqualTo(new Shape(f.shape("w:" + key)));
      a.set(f.floats("w:" + key));
      names.add(key);
    }
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
