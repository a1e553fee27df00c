package dev.lowlight.cli;

import ai.djl.ndarray.NDManager;
import dev.lowlight.api.config.ConfigException;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import dev.lowlight.model.io.ModelDirectory;
import dev.lowlight.model.io.ModelDirectoryException;
import dev.lowlight.runtime.BoxXyxy;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.Instance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opens model directories for eager (DJL) inference, producing the same detections as ONNX Runtime. */
final class EagerModels {

  private EagerModels() {}

  /** Class names indexed by label, background first, as the ONNX metadata has them. */
  static List<String> classNames(ModelConfig config) {
    List<String> names = new ArrayList<>();
    names.add("__background__");
    for (int i = 1; i < config.numClasses(); i++) {
      names.add(config.classNames().isEmpty() ? "class_" + i : config.classNames().get(i - 1));
    }
    return names;
  }

  /**
   * The model directory {@code dir} run eagerly; detections scoring below {@code scoreThreshold} are
   * dropped, as {@link dev.lowlight.runtime.LowlightPredictor} drops them (after the model's own
   * {@code roi_heads.score_thresh}).
   */
  static PredictCommand.ImageModel open(Path dir, float scoreThreshold) {
    NDManager manager = NDManager.newBaseManager();
    MaskRcnn model;
    try {
      model = ModelDirectory.load(dir, manager);
    } catch (ModelDirectoryException | ConfigException e) {
      manager.close();
      throw new UserError(e.getMessage());
    } catch (IOException e) {
      manager.close();
      throw new UncheckedIOException(e);
    }
    dev.lowlight.train.TorchWarnings.silence();
    List<String> names = classNames(model.config());
    return new PredictCommand.ImageModel() {
      @Override
      public List<String> classNames() {
        return names;
      }

      @Override
      public Detections predict(RgbImage image) {
        return toDetections(model.predict(image), names, scoreThreshold);
      }

      @Override
      public void close() {
        manager.close();
      }
    };
  }

  /** {@code p} as the runtime's detections, those scoring below {@code scoreThreshold} left out. */
  static Detections toDetections(Predictions p, List<String> names, float scoreThreshold) {
    List<Instance> out = new ArrayList<>(p.size());
    int side = p.maskSize();
    for (int i = 0; i < p.size(); i++) {
      if (p.scores()[i] < scoreThreshold) {
        continue;
      }
      float[] b = p.boxes();
      float[] mask = new float[side * side];
      System.arraycopy(p.masks(), i * side * side, mask, 0, mask.length);
      int label = (int) p.labels()[i];
      out.add(new Instance(new BoxXyxy(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]), label,
          label < names.size() ? names.get(label) : "class_" + label, p.scores()[i], mask, side, p.imageHeight(),
          p.imageWidth()));
    }
    return new Detections(p.imageHeight(), p.imageWidth(), out);
  }
}
