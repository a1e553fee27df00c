package dev.lowlight.model.export;

import dev.lowlight.api.io.AtomicFiles;
import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowlight.api.LowlightVersion;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.onnx.Dim;
import dev.lowlight.api.onnx.OnnxGraphBuilder;
import dev.lowlight.api.onnx.OnnxType;
import dev.lowlight.model.MaskRcnn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a whole {@link MaskRcnn} to one ONNX file (opset {@value OnnxGraphBuilder#OPSET}, IR
 * {@value OnnxGraphBuilder#IR_VERSION}) that reproduces {@link MaskRcnn#predict}.
 *
 * <p>Input {@value #INPUT}: float {@code 1×3×H×W}, RGB in {@code [0, 1]}, {@code H} and {@code W}
 * dynamic unless {@link ExportOptions#withStaticSize fixed}. Outputs: {@value #BOXES} {@code N×4}
 * float, xyxy in input pixels; {@value #LABELS} {@code N} int64 in {@code 1..num_classes-1};
 * {@value #SCORES} {@code N} float, descending; {@value #MASKS} {@code N×1×M×M} float mask
 * probabilities in box coordinates ({@code M = 28} by default). An image with nothing in it gives
 * {@code N = 0}. Everything between the image and those outputs is in the graph: normalisation,
 * resizing, padding, anchors, proposal selection with {@code NonMaxSuppression}, multi-level
 * {@code RoiAlign}, box decoding, per-class NMS and the mask head.
 *
 * <p>Metadata ({@code metadata_props}): {@value #META_CLASS_NAMES} (JSON array indexed by label,
 * index 0 the background), {@value #META_CONFIG} (the model configuration as YAML), {@value
 * #META_SDK_VERSION}, {@value #META_EXPORT_DATE} (ISO-8601 UTC), {@value #META_INPUT} (the input
 * contract in words), {@value #META_NUM_CLASSES}.
 *
 * <pre>{@code
 * MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);
 * ExportResult r = OnnxExporter.export(model, Path.of("model.onnx"), ExportOptions.defaults());
 * }</pre>
 */
public final class OnnxExporter {

  /** Name of the image input. */
  public static final String INPUT = "image";
  /** Name of the boxes output. */
  public static final String BOXES = "boxes";
  /** Name of the labels output. */
  public static final String LABELS = "labels";
  /** Name of the scores output. */
  public static final String SCORES = "scores";
  /** Name of the masks output. */
  public static final String MASKS = "masks";
  /** Metadata key: class names as a JSON array, index = label, index 0 = background. */
  public static final String META_CLASS_NAMES = "class_names";
  /** Metadata key: the model configuration (YAML). */
  public static final String META_CONFIG = "config";
  /** Metadata key: the SDK version that wrote the file. */
  public static final String META_SDK_VERSION = "sdk_version";
  /** Metadata key: when the file was written (ISO-8601, UTC). */
  public static final String META_EXPORT_DATE = "export_date";
  /** Metadata key: the input contract in words. */
  public static final String META_INPUT = "input";
  /** Metadata key: the version of this output contract, read by sdk-runtime. */
  public static final String META_CONTRACT = "lowlight_contract";
  /** Metadata key: number of classes including background. */
  public static final String META_NUM_CLASSES = "num_classes";

  private static final Logger LOG = LoggerFactory.getLogger(OnnxExporter.class);

  private OnnxExporter() {}

  /**
   * Builds the graph of {@code model} and writes it to {@code out} through a temporary file in the
   * same directory, renamed when complete.
   *
   * @throws IOException when the file cannot be written
   */
  public static ExportResult export(MaskRcnn model, Path out, ExportOptions options) throws IOException {
    long start = System.nanoTime();
    return write(build(model, options), out, start);
  }

  /**
   * Writes a built model to {@code out} through a temporary file in the same directory, renamed when
   * complete (for callers that check the graph first, as {@link ExportVerifier} does).
   *
   * @param start {@link System#nanoTime()} when the export started, for the reported time
   */
  public static ExportResult write(Built built, Path out, long start) throws IOException {
    AtomicFiles.write(out, built.model()::writeTo);
    long millis = (System.nanoTime() - start) / 1_000_000;
    OnnxMl.GraphProto g = built.model().getGraph();
    ExportResult r = new ExportResult(out, Files.size(out), g.getNodeCount(), g.getInitializerCount(),
        built.folded(), millis);
    LOG.info("exported {}: {} nodes, {} initializers, {} batch norms folded, {} bytes in {} ms", out, r.nodes(),
        r.initializers(), r.foldedBatchNorms(), r.bytes(), millis);
    return r;
  }

  /** The serialised model, for callers that keep it in memory (tests, an in-process runtime). */
  public static byte[] toBytes(MaskRcnn model, ExportOptions options) {
    return build(model, options).model().toByteArray();
  }

  /**
   * The model proto and the number of batch norms folded.
   *
   * @param model the ONNX model
   * @param folded batch norms folded into convolutions
   */
  public record Built(OnnxMl.ModelProto model, int folded) {}

  /** Builds the model proto (not written anywhere). */
  public static Built build(MaskRcnn model, ExportOptions options) {
    ModelConfig config = model.config();
    OnnxGraphBuilder graph = new OnnxGraphBuilder("lowlight_mask_rcnn");
    Dim h = options.isStatic() ? Dim.of(options.staticHeight()) : Dim.dynamic("H");
    Dim w = options.isStatic() ? Dim.of(options.staticWidth()) : Dim.dynamic("W");
    String image = graph.input(INPUT, OnnxType.FLOAT, Dim.of(1), Dim.of(3), h, w);
    List<String> out = model.lower(graph, image);
    Dim n = Dim.dynamic("N");
    graph.output(out.get(0), BOXES, OnnxType.FLOAT, n, Dim.of(4));
    graph.output(out.get(1), LABELS, OnnxType.INT64, n);
    graph.output(out.get(2), SCORES, OnnxType.FLOAT, n);
    graph.output(out.get(3), MASKS, OnnxType.FLOAT, n, Dim.of(1), Dim.dynamic("M"), Dim.dynamic("M"));
    graph.metadata(META_CLASS_NAMES, classNamesJson(config));
    graph.metadata(META_CONFIG, ConfigLoader.toYaml(config));
    graph.metadata(META_SDK_VERSION, LowlightVersion.api());
    graph.metadata(META_EXPORT_DATE, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    graph.metadata(META_NUM_CLASSES, Integer.toString(config.numClasses()));
    graph.metadata(META_CONTRACT, "1");
    graph.metadata(META_INPUT, "image: float32 1x3x" + (options.isStatic() ? options.staticHeight() + "x"
        + options.staticWidth() : "HxW") + ", RGB, values in [0, 1], channels first; outputs boxes Nx4 (xyxy, input"
        + " pixels), labels N (int64), scores N, masks Nx1xMxM (probabilities in box coordinates)");
    OnnxMl.ModelProto proto = graph.build();
    if (!options.foldBatchNorm()) {
      return new Built(proto, 0);
    }
    BatchNormFolding.Result folded = BatchNormFolding.fold(proto);
    return new Built(folded.model(), folded.folded());
  }

  private static String classNamesJson(ModelConfig config) {
    List<String> names = new ArrayList<>();
    names.add("__background__");
    if (config.classNames().isEmpty()) {
      for (int i = 1; i < config.numClasses(); i++) {
        names.add("class_" + i);
      }
    } else {
      names.addAll(config.classNames());
    }
    try {
      return new ObjectMapper().writeValueAsString(names);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(new IOException("cannot write class names as JSON", e));
    }
  }
}
