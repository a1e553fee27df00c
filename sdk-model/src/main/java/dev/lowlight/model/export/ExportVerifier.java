package dev.lowlight.model.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lowlight.api.config.BoundPlugin;
import dev.lowlight.api.nn.StrayArrays;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OutputDifference;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks an exported graph against the model it came from before the file is kept: ONNX Runtime
 * and DJL's eager forward must compute the same thing.
 *
 * <p>Two checks per image. First, block by block: the graph (without batch-norm folding) is run
 * with the inputs and outputs of the model's blocks exposed, and each block's DJL forward, given
 * the very input ONNX Runtime computed for it, must give ONNX Runtime's outputs within {@value
 * #RTOL} relative. Blocks that take one input are checked directly; for the others (the FPN, the
 * RPN head, shared containers) their own single-input children are. When a block differs, its
 * children are checked to find the innermost block that differs first in the graph, and the error
 * names it with the plugin it comes from. Second, end to end: the exported file itself against
 * {@link MaskRcnn#predict}, detections matched by label and box (those within 0.02 of the score
 * threshold may be missing on either side).
 *
 * <pre>{@code
 * OnnxExporter.Built built = OnnxExporter.build(model, options);
 * ExportVerifier.verify(model, built.model(), options);   // throws ExportVerificationException
 * OnnxExporter.write(built, out);
 * }</pre>
 */
public final class ExportVerifier {

  /** Relative tolerance of a block's outputs (deep blocks accumulate rounding of two libraries). */
  public static final double RTOL = 1e-3;

  private static final Logger LOG = LoggerFactory.getLogger(ExportVerifier.class);
  private static final float SCORE_MARGIN = 0.02f;
  private static final float SCORE_TOL = 1e-3f;
  private static final double MASK_IOU = 0.9;

  /**
   * What was checked.
   *
   * @param images images run
   * @param blocks block checks that ran (over all images)
   * @param detections eager detections compared end to end
   * @param millis time taken
   */
  public record Report(int images, int blocks, int detections, long millis) {}

  private ExportVerifier() {}

  /** Verifies on two synthetic images suited to the export (the static size, else two odd sizes). */
  public static Report verify(MaskRcnn model, OnnxMl.ModelProto exported, ExportOptions options) {
    return verify(model, exported, options, images(options));
  }

  /**
   * Verifies on {@code images}.
   *
   * @throws ExportVerificationException naming the first block whose outputs differ, or the
   *     end-to-end difference
   */
  public static Report verify(MaskRcnn model, OnnxMl.ModelProto exported, ExportOptions options,
      List<RgbImage> images) {
    long t0 = System.nanoTime();
    OnnxMl.ModelProto plain = OnnxExporter.build(model, options.withoutFolding()).model();
    Tree tree = new Tree(model, plain.getGraph());
    int blocks = 0;
    int detections = 0;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        OrtSession whole = env.createSession(exported.toByteArray(), so);
        Exposed frontier = new Exposed(plain, tree.candidates(tree.root))) {
      for (RgbImage image : images) {
        blocks += checkBlocks(model, tree, frontier, image);
        detections += checkEndToEnd(model, whole, image);
      }
    } catch (OrtException e) {
      throw new ExportVerificationException(null, "ONNX Runtime cannot run the exported graph: " + e.getMessage(), e);
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    LOG.info("export verified: {} block checks and {} detections on {} images agree ({} ms)", blocks, detections,
        images.size(), millis);
    return new Report(images.size(), blocks, detections, millis);
  }

  /** Two images of random boxes on a gradient: the static size, or 97x131 and 160x120. */
  static List<RgbImage> images(ExportOptions options) {
    if (options.isStatic()) {
      return List.of(scene(options.staticWidth(), options.staticHeight(), 1));
    }
    return List.of(scene(131, 97, 1), scene(120, 160, 2));
  }

  private static RgbImage scene(int width, int height, long seed) {
    Random r = new Random(seed);
    float[] p = new float[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          p[(y * width + x) * 3 + c] = (float) (0.2 + 0.3 * x / width + 0.2 * y / height + 0.05 * c);
        }
      }
    }
    for (int k = 0; k < 6; k++) {
      int x0 = r.nextInt(width);
      int y0 = r.nextInt(height);
      int x1 = Math.min(width, x0 + 8 + r.nextInt(Math.max(1, width / 2)));
      int y1 = Math.min(height, y0 + 8 + r.nextInt(Math.max(1, height / 2)));
      float[] rgb = {r.nextFloat(), r.nextFloat(), r.nextFloat()};
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          System.arraycopy(rgb, 0, p, (y * width + x) * 3, 3);
        }
      }
    }
    return new RgbImage(width, height, p);
  }

  // ------------------------------------------------------------------------------------------
  // block by block

  /** Runs the checks of one image; returns how many block checks ran. */
  private static int checkBlocks(MaskRcnn model, Tree tree, Exposed frontier, RgbImage image)
      throws OrtException {
    OnnxMl.ModelProto plain = frontier.plain;
    Map<Node, Outcome> outcomes = frontier.run(tree, image);
    int ran = outcomes.size();
    Node worst = firstFailing(outcomes);
    if (worst == null) {
      return ran;
    }
    while (true) {
      List<Node> children = new ArrayList<>();
      for (Node c : worst.children) {
        children.addAll(tree.candidates(c));
      }
      Map<Node, Outcome> below;
      try (Exposed exposed = new Exposed(plain, children)) {
        below = exposed.run(tree, image);
      }
      Node deeper = firstFailing(below);
      if (deeper == null) {
        break;
      }
      outcomes.put(deeper, below.get(deeper));
      worst = deeper;
    }
    Outcome o = outcomes.get(worst);
    throw new ExportVerificationException(worst.path, "ONNX Runtime and DJL differ first in block " + worst.path
        + plugin(model, tree, worst) + " on a " + image.width() + "x" + image.height() + " image: " + o.detail
        + "; its ONNX lowering does not compute what its forward does (run the conformance kit on the plugin)",
        null);
  }

  private static Node firstFailing(Map<Node, Outcome> outcomes) {
    Node first = null;
    for (Map.Entry<Node, Outcome> e : outcomes.entrySet()) {
      if (!e.getValue().agrees && (first == null || e.getKey().lastNode < first.lastNode)) {
        first = e.getKey();
      }
    }
    return first;
  }

  /** {@code (denoise plugin se-smooth 1.0.0 from /x/se.jar)} for a block inside a plugin's block. */
  private static String plugin(MaskRcnn model, Tree tree, Node node) {
    for (Node n = node; n != null; n = n.parent) {
      String key = n.block instanceof DenoisingBlock ? "denoise" : n.block == model.backbone() ? "backbone"
          : n.block == model.neck() ? "neck" : n.block == model.rpn().head() ? "rpn.head"
          : n.block == model.roiHeads().boxHead() ? "roi_heads.box_head"
          : n.block == model.roiHeads().maskHead() ? "roi_heads.mask_head" : null;
      BoundPlugin b = key == null ? null : model.plugins().get(key);
      if (b != null) {
        return " (" + key + " plugin " + b.descriptor().name() + " " + b.descriptor().version() + " from "
            + b.descriptor().source() + ")";
      }
    }
    return "";
  }

  /** Whether a block agreed, and how it differed. */
  private record Outcome(boolean agrees, String detail) {}

  /** The plain graph with some blocks' inputs and outputs exposed, in one session for every image. */
  private static final class Exposed implements AutoCloseable {
    final OnnxMl.ModelProto plain;
    final List<Node> candidates;
    final OrtSession session;

    Exposed(OnnxMl.ModelProto plain, List<Node> candidates) throws OrtException {
      this.plain = plain;
      this.candidates = candidates;
      Set<String> exposed = new LinkedHashSet<>();
      for (Node n : candidates) {
        exposed.add(n.input);
        exposed.addAll(n.outputs);
      }
      OnnxMl.GraphProto.Builder g = plain.getGraph().toBuilder();
      Set<String> outputs = new HashSet<>();
      g.getOutputList().forEach(o -> outputs.add(o.getName()));
      for (String v : exposed) {
        if (outputs.add(v)) {
          // no declared type: ONNX Runtime infers it, and a block boundary need not be float
          g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(v));
        }
      }
      try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
        this.session = OrtEnvironment.getEnvironment().createSession(plain.toBuilder().setGraph(g).build()
            .toByteArray(), so);
      }
    }

    /** Runs the graph on {@code image} and compares each candidate that can run alone. */
    Map<Node, Outcome> run(Tree tree, RgbImage image) throws OrtException {
      Map<Node, Outcome> out = new LinkedHashMap<>();
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      NDManager parameters = tree.parameterManager;
      try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(image.toChw()),
          new long[] {1, 3, image.height(), image.width()});
          OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, in));
          NDManager scratch = NDManager.newBaseManager(parameters.getDevice());
          StrayArrays strays = StrayArrays.watch(parameters)) {
        for (Node n : candidates) {
          Outcome o = compare(n, result, scratch);
          if (o != null) {
            out.put(n, o);
          }
        }
      }
      return out;
    }

    @Override
    public void close() throws OrtException {
      session.close();
    }
  }

  /** One block's DJL forward on ONNX Runtime's input against ONNX Runtime's outputs; null when it cannot run alone. */
  private static Outcome compare(Node n, OrtSession.Result result, NDManager scratch) throws OrtException {
    OnnxTensor input = tensor(result, n.input);
    if (!isFloat(input)) {
      return null;
    }
    long[] shape = input.getInfo().getShape();
    for (long d : shape) {
      if (d == 0) {
        return null; // nothing to compare (no proposals, no detections)
      }
    }
    NDList djl;
    try (NDManager step = scratch.newSubManager()) {
      NDArray x = step.create(floats(input), new Shape(shape));
      try {
        djl = n.block.forward(new ParameterStore(step, false), new NDList(x), false);
      } catch (RuntimeException e) {
        LOG.debug("block {} does not run on its own ({}); its children are checked instead", n.path, e.toString());
        return null;
      }
      List<OnnxTensor> onnx = new ArrayList<>();
      for (String v : n.outputs) {
        OnnxTensor t = tensor(result, v);
        if (!isFloat(t)) {
          return null;
        }
        onnx.add(t);
      }
      if (onnx.size() != djl.size()) {
        return null;
      }
      boolean[] used = new boolean[onnx.size()];
      for (int i = 0; i < djl.size(); i++) {
        long[] want = djl.get(i).getShape().getShape();
        int match = -1;
        for (int j = 0; j < onnx.size() && match < 0; j++) {
          if (!used[j] && java.util.Arrays.equals(onnx.get(j).getInfo().getShape(), want)) {
            match = j;
          }
        }
        if (match < 0) {
          return new Outcome(false, "output " + i + " has shape " + java.util.Arrays.toString(want)
              + " in DJL but no output of that shape in ONNX Runtime");
        }
        used[match] = true;
        String diff = difference(djl.get(i).toType(DataType.FLOAT32, false).toFloatArray(), floats(onnx.get(match)));
        if (diff != null) {
          return new Outcome(false, "output " + i + ": " + diff);
        }
      }
    }
    return new Outcome(true, "");
  }

  /** Null when {@code a} (ONNX Runtime) equals {@code e} (DJL) within {@link #RTOL}, else a description. */
  static String difference(float[] e, float[] a) {
    OutputDifference d = OutputDifference.of(e, a, RTOL);
    return d == null ? null : d.describe("onnx", "djl");
  }

  // ------------------------------------------------------------------------------------------
  // end to end

  private static int checkEndToEnd(MaskRcnn model, OrtSession session, RgbImage image) throws OrtException {
    Predictions eager = model.predict(image);
    Predictions onnx = run(session, image);
    float threshold = (float) model.config().roiHeads().scoreThresh();
    String where = "on a " + image.width() + "x" + image.height() + " image";
    compareDetections(eager, onnx, threshold, "DJL", "ONNX Runtime", where);
    compareDetections(onnx, eager, threshold, "ONNX Runtime", "DJL", where);
    return eager.size();
  }

  /** Every clear detection of {@code a} has one in {@code b} with the same label, box, score and mask. */
  private static void compareDetections(Predictions a, Predictions b, float threshold, String aName, String bName,
      String where) {
    int plane = a.maskSize() * a.maskSize();
    boolean[] used = new boolean[b.size()];
    for (int i = 0; i < a.size(); i++) {
      if (a.scores()[i] < threshold + SCORE_MARGIN) {
        continue; // a near-threshold detection may fall on either side in the other library
      }
      float scale = 0;
      for (int c = 0; c < 4; c++) {
        scale = Math.max(scale, Math.abs(a.boxes()[4 * i + c]));
      }
      double boxTol = 0.5 + 1e-3 * scale;
      int match = -1;
      for (int j = 0; j < b.size() && match < 0; j++) {
        if (used[j] || b.labels()[j] != a.labels()[i] || Math.abs(b.scores()[j] - a.scores()[i]) > SCORE_TOL) {
          continue;
        }
        double d = 0;
        for (int c = 0; c < 4; c++) {
          d = Math.max(d, Math.abs(b.boxes()[4 * j + c] - a.boxes()[4 * i + c]));
        }
        if (d <= boxTol) {
          match = j;
        }
      }
      if (match < 0) {
        throw new ExportVerificationException(null, String.format(Locale.ROOT, "%s finds a detection %s that %s"
            + " does not (label %d, score %.4f, box [%.1f, %.1f, %.1f, %.1f]) although every block agrees: the"
            + " difference is in the detection post-processing or the batch-norm folding", aName, where, bName,
            a.labels()[i], a.scores()[i], a.boxes()[4 * i], a.boxes()[4 * i + 1], a.boxes()[4 * i + 2],
            a.boxes()[4 * i + 3]), null);
      }
      used[match] = true;
      if (b.maskSize() == a.maskSize()) {
        int inter = 0;
        int union = 0;
        for (int k = 0; k < plane; k++) {
          boolean x = a.masks()[i * plane + k] > 0.5f;
          boolean y = b.masks()[match * plane + k] > 0.5f;
          inter += x && y ? 1 : 0;
          union += x || y ? 1 : 0;
        }
        if (union > 0 && (double) inter / union < MASK_IOU) {
          throw new ExportVerificationException(null, String.format(Locale.ROOT, "the mask of a detection %s"
              + " differs between DJL and ONNX Runtime (IoU %.3f)", where, (double) inter / union), null);
        }
      }
    }
  }

  private static Predictions run(OrtSession session, RgbImage image) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(image.toChw()),
        new long[] {1, 3, image.height(), image.width()});
        OrtSession.Result out = session.run(Map.of(OnnxExporter.INPUT, in))) {
      OnnxTensor masks = tensor(out, OnnxExporter.MASKS);
      long[] ms = masks.getInfo().getShape();
      LongBuffer lb = tensor(out, OnnxExporter.LABELS).getLongBuffer();
      long[] labels = new long[lb.remaining()];
      lb.get(labels);
      return new Predictions(image.width(), image.height(), floats(tensor(out, OnnxExporter.BOXES)), labels,
          floats(tensor(out, OnnxExporter.SCORES)), floats(masks), ms.length == 4 ? (int) ms[2] : 0);
    }
  }

  private static OnnxTensor tensor(OrtSession.Result result, String name) {
    OnnxValue v = result.get(name).orElse(null);
    return v instanceof OnnxTensor t ? t : null;
  }

  private static boolean isFloat(OnnxTensor t) {
    return t != null && t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT;
  }

  private static float[] floats(OnnxTensor t) {
    FloatBuffer b = t.getFloatBuffer();
    float[] v = new float[b.remaining()];
    b.get(v);
    return v;
  }

  // ------------------------------------------------------------------------------------------
  // the model's blocks and their place in the graph

  /** A block of the model with its path and, when it can be checked alone, its graph boundary. */
  private static final class Node {
    final String path;
    final Block block;
    final Node parent;
    final List<Node> children = new ArrayList<>();
    String input;
    List<String> outputs = List.of();
    int lastNode = -1;

    Node(String path, Block block, Node parent) {
      this.path = path;
      this.block = block;
      this.parent = parent;
    }
  }

  /** The block tree, each node's share of the graph, and which blocks can be checked alone. */
  private static final class Tree {
    final Node root;
    final NDManager parameterManager;
    private final Map<String, Integer> pathCount = new HashMap<>();
    private final Map<String, List<Integer>> direct = new HashMap<>();
    private final List<OnnxMl.NodeProto> nodes;
    private final Set<String> initializers = new HashSet<>();
    private final Set<String> graphOutputs = new HashSet<>();

    Tree(MaskRcnn model, OnnxMl.GraphProto graph) {
      this.root = new Node("", model.parameters(), null);
      this.parameterManager = TorchNames.parameters(model.parameters()).values().iterator().next().getArray()
          .getManager();
      build(root);
      this.nodes = graph.getNodeList();
      graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
      graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
      List<String> paths = new ArrayList<>(pathCount.keySet());
      paths.sort((a, b) -> Integer.compare(b.length(), a.length())); // longest prefix first
      for (int i = 0; i < nodes.size(); i++) {
        if (nodes.get(i).getOutputCount() == 0) {
          continue;
        }
        String value = nodes.get(i).getOutput(0);
        for (String p : paths) {
          if (!p.isEmpty() && value.startsWith(p + ".")) {
            direct.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
            break;
          }
        }
      }
      boundaries(root);
    }

    private void build(Node node) {
      pathCount.merge(node.path, 1, Integer::sum);
      int i = 0;
      for (Pair<String, Block> child : node.block.getChildren()) {
        i++;
        String name = TorchNames.childName(child.getKey(), i);
        String path = name.isEmpty() ? node.path : node.path.isEmpty() ? name : node.path + "." + name;
        Node c = new Node(path, child.getValue(), node);
        node.children.add(c);
        build(c);
      }
    }

    /** Fills each node's graph boundary: its nodes are those of its path and of its descendants' paths. */
    private Set<Integer> boundaries(Node node) {
      Set<Integer> mine = new HashSet<>(node.path.isEmpty() ? List.of() : direct.getOrDefault(node.path, List.of()));
      for (Node c : node.children) {
        if (!c.path.equals(node.path)) {
          mine.addAll(boundaries(c));
        } else {
          boundaries(c);
        }
      }
      if (node.path.isEmpty() || pathCount.get(node.path) > 1 || mine.isEmpty()
          || !(node.block instanceof OnnxLowerable)) {
        return mine;
      }
      Set<String> produced = new HashSet<>();
      for (int i : mine) {
        produced.addAll(nodes.get(i).getOutputList());
      }
      Set<String> inputs = new LinkedHashSet<>();
      for (int i : mine) {
        for (String in : nodes.get(i).getInputList()) {
          if (!in.isEmpty() && !produced.contains(in) && !initializers.contains(in)) {
            inputs.add(in);
          }
        }
      }
      List<String> outs = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        if (mine.contains(i)) {
          continue;
        }
        for (String in : nodes.get(i).getInputList()) {
          if (produced.contains(in) && !outs.contains(in)) {
            outs.add(in);
          }
        }
      }
      for (String o : graphOutputs) {
        if (produced.contains(o) && !outs.contains(o)) {
          outs.add(o);
        }
      }
      if (inputs.size() == 1 && !outs.isEmpty()) {
        node.input = inputs.iterator().next();
        outs.sort((a, b) -> Integer.compare(producerIndex(a), producerIndex(b)));
        node.outputs = List.copyOf(outs);
        node.lastNode = mine.stream().mapToInt(Integer::intValue).max().orElse(-1);
      }
      return mine;
    }

    private int producerIndex(String value) {
      for (int i = 0; i < nodes.size(); i++) {
        if (nodes.get(i).getOutputList().contains(value)) {
          return i;
        }
      }
      return -1;
    }

    /** {@code node} when it can be checked alone, else the nearest such blocks below it. */
    List<Node> candidates(Node node) {
      if (node.input != null) {
        return List.of(node);
      }
      List<Node> out = new ArrayList<>();
      for (Node c : node.children) {
        out.addAll(candidates(c));
      }
      return out;
    }
  }
}
