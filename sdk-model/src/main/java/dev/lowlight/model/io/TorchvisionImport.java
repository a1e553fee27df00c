package dev.lowlight.model.io;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.weights.ForbiddenGlobalException;
import dev.lowlight.model.weights.LoadReport;
import dev.lowlight.model.weights.NonFiniteWeights;
import dev.lowlight.model.weights.StateDict;
import dev.lowlight.model.weights.StateDictLoader;
import dev.lowlight.model.weights.TensorData;
import dev.lowlight.model.weights.TorchCheckpointReader;
import dev.lowlight.model.weights.WeightsException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports torchvision checkpoints: a whole Mask R-CNN into a {@link ModelDirectory}, or an
 * ImageNet ResNet into a model's backbone body.
 *
 * <p>A Mask R-CNN checkpoint may be the bare state dict or wrapped ({@code {"model": sd}} as
 * torchvision's reference training scripts save it, or {@code {"state_dict": sd}}); key spellings
 * of the 2019 checkpoints and of torchvision 0.13+ are both accepted ({@link TorchvisionKeys}).
 * The number of classes comes from {@code roi_heads.box_predictor.cls_score.weight}; with 91
 * classes the model gets COCO's names ({@link CocoCategories}), so its labels are COCO category
 * ids. Everything else (backbone depth, widths, sizes) comes from the base configuration, whose
 * defaults are {@code maskrcnn_resnet50_fpn}'s.
 *
 * <pre>{@code
 * // the official COCO weights, downloaded by the user:
 * ImportReport r = TorchvisionImport.maskRcnn(Path.of("maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth"),
 *     Path.of("models/coco"), ModelConfig.defaults());
 * // an ImageNet ResNet into the backbone of a new model:
 * LoadReport l = TorchvisionImport.backboneWeights(model, Path.of("resnet50-0676ba61.pth"));  // fc.* unexpected
 * }</pre>
 */
public final class TorchvisionImport {

  /** The entry whose first dimension is the number of classes. */
  public static final String CLASS_SCORE = "roi_heads.box_predictor.cls_score.weight";
  /** Where an ImageNet ResNet's keys go in the model. */
  public static final String BODY_PREFIX = "backbone.body.";

  private static final Logger LOG = LoggerFactory.getLogger(TorchvisionImport.class);
  private static final List<String> WRAPPER_KEYS = List.of("model", "state_dict");

  private TorchvisionImport() {}

  /** {@link #maskRcnn(Path, Path, ModelConfig, boolean)}, strict. */
  public static ImportReport maskRcnn(Path pth, Path outDir, ModelConfig base) throws IOException {
    return maskRcnn(pth, outDir, base, true);
  }

  /**
   * Converts a torchvision Mask R-CNN checkpoint into a model directory.
   *
   * @param pth the {@code .pth} file
   * @param outDir the model directory to write
   * @param base the configuration to build (its {@code num_classes} and {@code class_names} are
   *     replaced by the checkpoint's)
   * @param strict whether a missing, unexpected or mis-shaped key is an error (otherwise it is
   *     reported and the parameter keeps its initial value)
   * @throws WeightsException naming the file when it is not a Mask R-CNN state dict, holds a
   *     forbidden global, or (strict) does not match the model
   */
  public static ImportReport maskRcnn(Path pth, Path outDir, ModelConfig base, boolean strict) throws IOException {
    return maskRcnn(pth, outDir, base, strict, false);
  }

  /**
   * {@link #maskRcnn(Path, Path, ModelConfig, boolean)}; a tensor with NaN or infinite values is an
   * error naming it unless {@code allowNonFinite} (for debugging a diverged run).
   */
  public static ImportReport maskRcnn(Path pth, Path outDir, ModelConfig base, boolean strict,
      boolean allowNonFinite) throws IOException {
    StateDict sd = readCheckpoint(pth);
    if (!allowNonFinite) {
      NonFiniteWeights.check(sd, pth.toString());
    }
    return maskRcnn(sd, pth, outDir, base, strict);
  }

  /** The same from a state dict already in memory; {@code source} names it in reports and messages. */
  public static ImportReport maskRcnn(StateDict sd, Path source, Path outDir, ModelConfig base, boolean strict)
      throws IOException {
    ModelConfig config = configFor(sd, source, base);
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);
      Set<String> keys = TorchNames.parameters(model.parameters()).keySet();
      TorchvisionKeys.Normalized n = TorchvisionKeys.normalize(sd, keys);
      LoadReport report;
      try {
        report = StateDictLoader.load(model.parameters(), n.stateDict(), "", strict);
      } catch (dev.lowlight.model.weights.StateDictMismatchException e) {
        throw new WeightsException(source + ": does not match the configured model (backbone "
            + config.backbone().name() + ", " + config.numClasses() + " classes):\n" + e.report().describe(), e);
      }
      Map<String, String> extra = new LinkedHashMap<>();
      extra.put("source", source.getFileName().toString());
      ModelDirectory.save(model, outDir, extra);
      ImportReport r = new ImportReport(source, outDir, config.numClasses(), config.classNames(), n.renamed(),
          n.dropped(), report);
      LOG.info("{}", r.describe());
      return r;
    }
  }

  /**
   * {@code base} with the number of classes of {@code sd} and names for them: COCO's for 91
   * classes, the base's when it names as many, {@code class_1..} otherwise.
   */
  public static ModelConfig configFor(StateDict sd, Path source, ModelConfig base) throws WeightsException {
    TensorData cls = sd.get(CLASS_SCORE);
    if (cls == null || cls.rank() != 2) {
      List<String> some = sd.names().stream().limit(5).toList();
      throw new WeightsException(source + ": not a torchvision Mask R-CNN state dict: no 2-D " + CLASS_SCORE
          + " (" + sd.size() + " keys, e.g. " + some + "); for an ImageNet ResNet use backboneWeights(...)");
    }
    int numClasses = (int) cls.shape()[0];
    List<String> names;
    if (numClasses == CocoCategories.NAMES.size()) {
      names = CocoCategories.classNames();
    } else if (base.classNames().size() == numClasses - 1) {
      names = base.classNames();
    } else {
      names = new ArrayList<>();
      for (int i = 1; i < numClasses; i++) {
        names.add("class_" + i);
      }
      LOG.warn("{}: {} classes and no names for them; naming them class_1..class_{}", source, numClasses,
          numClasses - 1);
    }
    return new ModelConfig(numClasses, names, base.backbone(), base.denoise(), base.neck(), base.transform(),
        base.rpn(), base.roiHeads(), base.solver());
  }

  /**
   * Loads an ImageNet ResNet checkpoint ({@code conv1.weight}, {@code bn1.*}, {@code layer1.0...},
   * {@code fc.*}) into the backbone body of an initialised {@code model}. The classifier {@code
   * fc.*} is reported as unexpected and ignored; parameters outside the body (denoisers, FPN,
   * heads) are untouched and not reported missing. Nothing is copied unless every body parameter
   * is in the file with its shape.
   *
   * @return unexpected keys (with the {@code backbone.body.} prefix) and nothing missing
   * @throws WeightsException naming the file when a body parameter is missing or mis-shaped
   */
  public static LoadReport backboneWeights(MaskRcnn model, Path pth) throws IOException {
    StateDict sd = readCheckpoint(pth);
    NonFiniteWeights.check(sd, pth.toString());
    return backboneWeights(model, sd, pth);
  }

  /** The same from a state dict already in memory. */
  public static LoadReport backboneWeights(MaskRcnn model, StateDict imagenet, Path source) throws IOException {
    Map<String, Parameter> all = TorchNames.parameters(model.parameters());
    Map<String, TensorData> body = new LinkedHashMap<>();
    List<String> unexpected = new ArrayList<>();
    for (Map.Entry<String, TensorData> e : imagenet.tensors().entrySet()) {
      String key = e.getKey().startsWith(BODY_PREFIX) ? e.getKey() : BODY_PREFIX + e.getKey();
      if (all.containsKey(key)) {
        body.put(key, e.getValue());
      } else if (!key.endsWith(".num_batches_tracked")) {
        unexpected.add(key);
      }
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Parameter> e : all.entrySet()) {
      if (!e.getKey().startsWith(BODY_PREFIX)) {
        continue;
      }
      TensorData t = body.get(e.getKey());
      long[] shape = e.getValue().getArray().getShape().getShape();
      if (t == null) {
        problems.add("missing " + e.getKey());
      } else if (!Arrays.equals(t.shape(), shape)) {
        problems.add(e.getKey() + " has shape " + Arrays.toString(t.shape()) + " in the file, "
            + Arrays.toString(shape) + " in the " + model.config().backbone().name() + " backbone");
      }
    }
    if (!problems.isEmpty()) {
      throw new WeightsException(source + ": not a checkpoint of the " + model.config().backbone().name()
          + " body (" + problems.size() + " problems): "
          + String.join("; ", problems.subList(0, Math.min(8, problems.size())))
          + (problems.size() > 8 ? "; ..." : ""));
    }
    StateDictLoader.load(model.parameters(), new StateDict(body), "", false);
    LoadReport report = new LoadReport(List.of(), unexpected, List.of());
    LOG.info("loaded {} backbone tensors from {}; ignored {}", body.size(), source, unexpected);
    return report;
  }

  /**
   * Reads a torchvision checkpoint: the top-level state dict, or the one under {@code model} or
   * {@code state_dict}. A forbidden global is an error at once, never a reason to try another key.
   */
  public static StateDict readCheckpoint(Path pth) throws IOException {
    try {
      return TorchCheckpointReader.read(pth);
    } catch (ForbiddenGlobalException e) {
      throw e;
    } catch (WeightsException first) {
      if (!first.getMessage().contains("not a flat dict of tensors")) {
        throw first;
      }
      for (String key : WRAPPER_KEYS) {
        try {
          return TorchCheckpointReader.builder().optStateDictKey(key).build().readStateDict(pth);
        } catch (ForbiddenGlobalException e) {
          throw e;
        } catch (WeightsException ignored) {
          // not this wrapper; try the next, then report the first error
        }
      }
      throw first;
    }
  }
}
