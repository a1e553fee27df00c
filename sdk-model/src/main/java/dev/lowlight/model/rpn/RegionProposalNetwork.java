package dev.lowlight.model.rpn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.config.RpnConfig;
import dev.lowlight.api.onnx.GraphOps;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.HeadBlock;
import dev.lowlight.heads.anchors.AnchorGenerator;
import dev.lowlight.heads.loss.RpnLoss;
import dev.lowlight.heads.loss.RpnLosses;
import dev.lowlight.heads.ops.Detections;
import dev.lowlight.heads.rpn.ProposalSelector;
import dev.lowlight.heads.targets.Sampling;
import dev.lowlight.model.StageClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The region proposal stage of Mask R-CNN (torchvision's {@code RegionProposalNetwork},
 * Detectron2's proposal generator): the RPN head (a plugin) on every neck level, anchors, proposal
 * selection and, in training, the RPN losses. Its three paths sit side by side: {@link #propose}
 * (inference), {@link #train} (training: proposals with the training counts, and the losses) and
 * {@link #lower} (the ONNX graph, from the same anchor generator and selector).
 *
 * <pre>{@code
 * RegionProposalNetwork rpn = new RegionProposalNetwork(head, config.rpn());
 * RegionProposalNetwork.Proposals p = rpn.propose(ps, levels, paddedH, paddedW, imageSizes);
 * }</pre>
 */
public final class RegionProposalNetwork {

  private final HeadBlock head;
  private final AnchorGenerator anchors;
  private final ProposalSelector inference;
  private final ProposalSelector training;
  private final RpnLoss loss;

  /** The stage around {@code head} with {@code config}'s anchors, counts, thresholds and sampling. */
  public RegionProposalNetwork(HeadBlock head, RpnConfig config) {
    this.head = head;
    this.anchors = new AnchorGenerator(config.anchorSizes(), config.aspectRatios());
    this.inference = ProposalSelector.inference(config);
    this.training = ProposalSelector.training(config);
    this.loss = RpnLoss.fromConfig(config);
  }

  /** The RPN head. */
  public HeadBlock head() {
    return head;
  }

  /** The anchor generator, one level per neck output. */
  public AnchorGenerator anchors() {
    return anchors;
  }

  /**
   * What the stage computed for a batch.
   *
   * @param headOutputs the head's {@code objectness_l, deltas_l} per level
   * @param anchors each level's anchors, flat xyxy ordered {@code (y, x, anchor)}
   * @param proposals per image, xyxy in resized-image pixels with objectness probabilities
   */
  public record Proposals(NDList headOutputs, List<float[]> anchors, List<Detections> proposals) {

    /** The proposal boxes of each image. */
    public List<float[]> boxes() {
      List<float[]> out = new ArrayList<>(proposals.size());
      proposals.forEach(d -> out.add(d.boxes()));
      return out;
    }
  }

  /**
   * Inference: proposals for each image of a batch padded to {@code paddedH × paddedW}.
   *
   * @param levels the neck's outputs
   * @param imageSizes {@code {h, w}} of each image before padding
   */
  public Proposals propose(ParameterStore ps, NDList levels, int paddedH, int paddedW, int[][] imageSizes) {
    return run(ps, levels, paddedH, paddedW, imageSizes, false, inference);
  }

  /** Proposals and the RPN's losses of a training step. */
  public record Trained(Proposals proposals, RpnLosses losses) {}

  /**
   * Training: proposals with the training counts (selected on host copies, so no gradient flows
   * through them, torchvision's {@code detach}) and the losses against {@code gtBoxes}, anchors
   * sampled from {@code sampling}; {@code clock} laps {@code rpn} when the proposals are chosen.
   */
  public Trained train(ParameterStore ps, NDList levels, int paddedH, int paddedW, int[][] imageSizes,
      List<float[]> gtBoxes, Sampling sampling, StageClock clock) {
    Proposals p = run(ps, levels, paddedH, paddedW, imageSizes, true, training);
    clock.lap("rpn");
    RpnLosses l = loss.compute(p.headOutputs(), Collections.nCopies(imageSizes.length,
        RpnLoss.concatLevels(p.anchors())), gtBoxes, sampling);
    return new Trained(p, l);
  }

  private Proposals run(ParameterStore ps, NDList levels, int paddedH, int paddedW, int[][] imageSizes,
      boolean train, ProposalSelector selector) {
    NDList out = head.forward(ps, levels, train);
    int[][] featureSizes = new int[levels.size()][];
    for (int i = 0; i < levels.size(); i++) {
      Shape s = levels.get(i).getShape();
      featureSizes[i] = new int[] {(int) s.get(2), (int) s.get(3)};
    }
    List<float[]> cellAnchors = anchors.anchors(paddedH, paddedW, featureSizes);
    return new Proposals(out, cellAnchors, selector.select(out, cellAnchors, imageSizes));
  }

  /**
   * The graph of {@link #propose} for one image: the head lowered into {@code headScope}, anchors
   * and selection into {@code g}; {@code paddedHw} is the network input's 1-D int64 size and {@code
   * limits} the float {@code (w, h, w, h)} of the resized image. Returns the proposals {@code [P, 4]}.
   */
  public String lower(OnnxScope headScope, GraphOps g, List<String> levels, String paddedHw, String limits) {
    List<String> out = head.lower(headScope, levels);
    List<String> levelAnchors = new ArrayList<>();
    int[] perLocation = new int[levels.size()];
    for (int l = 0; l < levels.size(); l++) {
      levelAnchors.add(anchors.lower(g, l, levels.get(l), paddedHw));
      perLocation[l] = anchors.anchorsPerLocation(l);
    }
    return inference.lower(g, out, levelAnchors, perLocation, limits);
  }
}
