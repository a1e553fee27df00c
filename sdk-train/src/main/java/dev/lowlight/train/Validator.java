package dev.lowlight.train;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.BoxXywh;
import dev.lowlight.data.coco.CocoCategory;
import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Rle;
import dev.lowlight.data.coco.Segmentation;
import dev.lowlight.data.eval.CocoEvaluator;
import dev.lowlight.data.eval.EvalResult;
import dev.lowlight.data.eval.IouType;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * COCO evaluation of a model on a validation set: each image is read from the image directory,
 * run through the eager {@link MaskRcnn#predict}, and the detections (boxes and binary masks at
 * 0.5, pasted into the image as torchvision does) are scored by {@link CocoEvaluator} for {@code
 * bbox} and {@code segm}.
 *
 * <p>Model labels are contiguous ({@code 1..K-1}); label {@code k} is the {@code k}-th category of
 * the ground truth in ascending id order, which is the mapping the data loader uses.
 *
 * <pre>{@code
 * Validator v = new Validator(CocoReader.readDataset(ann), imagesDir);
 * Validator.Result r = v.evaluate(model);
 * double ap = r.segm().stats().ap();
 * }</pre>
 */
public final class Validator {

  private final CocoDataset gt;
  private final Path imagesDir;
  private final long[] categoryOfLabel;

  /**
   * @param gt the validation annotations
   * @param imagesDir the directory their {@code file_name}s are relative to
   */
  public Validator(CocoDataset gt, Path imagesDir) {
    this.gt = gt;
    this.imagesDir = imagesDir;
    if (!Files.isDirectory(imagesDir)) {
      throw new IllegalArgumentException("validation image directory " + imagesDir + " does not exist");
    }
    List<CocoCategory> cats = new ArrayList<>(gt.categories());
    cats.sort(Comparator.comparingLong(CocoCategory::id));
    categoryOfLabel = new long[cats.size() + 1];
    for (int i = 0; i < cats.size(); i++) {
      categoryOfLabel[i + 1] = cats.get(i).id();
    }
  }

  /**
   * The validation metrics.
   *
   * @param bbox box AP and AR
   * @param segm mask AP and AR
   * @param detections number of detections over the set
   */
  public record Result(EvalResult bbox, EvalResult segm, int detections) {

    /** The AP the best checkpoint is chosen by: segm AP. */
    public double primaryAp() {
      return segm.stats().ap();
    }
  }

  /** Predicts every image and evaluates. */
  public Result evaluate(MaskRcnn model) {
    List<CocoResult> results = new ArrayList<>();
    for (CocoImage image : gt.images()) {
      results.addAll(detections(model, image));
    }
    // Both kinds always: a model that finds nothing scores 0, it does not lose its segm result
    return new Result(CocoEvaluator.evaluate(gt, results, IouType.BBOX),
        CocoEvaluator.evaluate(gt, results, IouType.SEGM), results.size());
  }

  private List<CocoResult> detections(MaskRcnn model, CocoImage image) {
    Path file = imagesDir.resolve(image.fileName());
    RgbImage rgb = ImageFiles.read(file);
    Predictions p = model.predict(rgb);
    List<CocoResult> out = new ArrayList<>(p.size());
    int w = p.imageWidth();
    int h = p.imageHeight();
    for (int i = 0; i < p.size(); i++) {
      int label = (int) p.labels()[i];
      if (label < 1 || label >= categoryOfLabel.length) {
        throw new IllegalStateException("the model predicts label " + label + " but the validation set " + file
            + " has " + (categoryOfLabel.length - 1) + " categories; does num_classes match the dataset?");
      }
      float[] b = p.boxes();
      BoxXywh box = new BoxXywh(b[4 * i], b[4 * i + 1], b[4 * i + 2] - b[4 * i], b[4 * i + 3] - b[4 * i + 1]);
      boolean[] mask = p.binaryMask(i);
      byte[] colMajor = new byte[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          if (mask[y * w + x]) {
            colMajor[x * h + y] = 1;
          }
        }
      }
      Rle rle = MaskApi.encode(colMajor, h, w);
      Segmentation seg = new Segmentation.CompressedRle(h, w, MaskApi.toCompressedString(rle));
      out.add(new CocoResult(image.id(), categoryOfLabel[label], box, p.scores()[i], seg));
    }
    return out;
  }
}
