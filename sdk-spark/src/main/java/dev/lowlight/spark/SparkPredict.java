package dev.lowlight.spark;

import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.coco.BoxXywh;
import dev.lowlight.data.coco.CocoResult;
import dev.lowlight.data.coco.CocoWriter;
import dev.lowlight.data.coco.Segmentation;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.runtime.Detections;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.runtime.output.CocoResults;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Batch inference with an exported model on Spark: what {@code lowlight predict --input DIR}
 * writes, with the images predicted on the executors.
 *
 * <p>The driver lists the directory's images in {@code lowlight predict}'s order and numbers them
 * the same way (1-based position: the image id), and ships the model's bytes to the executors as a
 * broadcast; each executor JVM opens one {@link LowlightPredictor} that its task threads share
 * ({@link ExecutorPredictors}). Each task reads and decodes its images with the single-machine
 * codec and predicts them in small batches ({@link LowlightPredictor#predictBatch}).
 *
 * <p>Outputs, under the output directory:
 *
 * <ul>
 *   <li>{@value #PREDICTIONS_JSON}: the COCO results list of {@code lowlight predict}, with {@code
 *       file_name}, byte for byte; each task writes its slice through the commit protocol and the
 *       driver joins the slices in order;
 *   <li>{@value #PREDICTIONS_PARQUET}: one row per image ({@link #SCHEMA}) for sets too large for
 *       one JSON file, failed images included with their {@code error};
 *   <li>{@value #FAILURES}: the images that could not be read or predicted, when there are any. A
 *       bad image costs only its own row: the job completes with all the others.
 * </ul>
 */
public final class SparkPredict {

  /** The COCO results file. */
  public static final String PREDICTIONS_JSON = "predictions.json";
  /** The Parquet dataset, one row per image. */
  public static final String PREDICTIONS_PARQUET = "predictions.parquet";
  /** The failed images, when there are any. */
  public static final String FAILURES = "failures.json";

  /** Images decoded and predicted together by a task. */
  static final int BATCH = 8;

  private static final Logger LOG = LoggerFactory.getLogger(SparkPredict.class);
  private static final String JSON_SLICES = "_predictions-json";

  private static final StructType SEGMENTATION = new StructType()
      .add("size", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("counts", DataTypes.StringType, false);
  private static final StructType DETECTION = new StructType()
      .add("category_id", DataTypes.LongType, false)
      .add("bbox", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("score", DataTypes.DoubleType, false)
      .add("segmentation", SEGMENTATION, false);

  /**
   * The Parquet rows: {@code image_id}, {@code file_name}, {@code path}, {@code height} and {@code
   * width} (null when the image could not be read), {@code error} (null when it was predicted) and
   * {@code detections}, each as a COCO result ({@code category_id}, {@code bbox} xywh, {@code
   * score}, {@code segmentation} as compressed RLE).
   */
  public static final StructType SCHEMA = new StructType()
      .add("image_id", DataTypes.LongType, false)
      .add("file_name", DataTypes.StringType, false)
      .add("path", DataTypes.StringType, false)
      .add("height", DataTypes.IntegerType, true)
      .add("width", DataTypes.IntegerType, true)
      .add("error", DataTypes.StringType, true)
      .add("detections", DataTypes.createArrayType(DETECTION, false), false);

  private SparkPredict() {}

  /**
   * What to predict.
   *
   * @param model the exported {@code model.onnx} (self-contained: no external data)
   * @param images the directory of images (PNG, JPEG, BMP), as {@code lowlight predict --input DIR}
   * @param output the results' directory; missing or empty
   * @param settings the predictor's settings
   * @param partitions how many tasks to cut the images into; 0 for four per core of the cluster
   * @param json whether to write {@value #PREDICTIONS_JSON}
   * @param parquet whether to write {@value #PREDICTIONS_PARQUET}
   */
  public record Request(String model, String images, String output, PredictSettings settings, int partitions,
      boolean json, boolean parquet) {

    /** Checks that there is something to write. */
    public Request {
      if (partitions < 0) {
        throw new IllegalArgumentException("partitions must be >= 0 (0 = four per core), got " + partitions);
      }
      if (!json && !parquet) {
        throw new IllegalArgumentException("choose at least one of JSON and Parquet output");
      }
    }
  }

  /**
   * What a run did.
   *
   * @param images images listed
   * @param detections detections written
   * @param failures images that could not be read or predicted, by id
   * @param written the files and directories written
   */
  public record Summary(int images, long detections, List<ImageFailure> failures, List<String> written) {}

  /**
   * Predicts.
   *
   * @throws IOException when the model or directory cannot be read or the outputs written
   * @throws IllegalArgumentException when the directory has no images or the output is not empty
   * @throws dev.lowlight.runtime.ModelLoadException when the model cannot be opened
   */
  public static Summary run(SparkSession spark, Request request) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String images = DistributedFiles.qualify(conf, request.images());
    String output = DistributedFiles.qualify(conf, request.output());
    String model = DistributedFiles.qualify(conf, request.model());
    DistributedFiles.checkJobDirectories(conf, images, output);
    List<ImageRef> refs = new ArrayList<>();
    for (String path : DistributedFiles.list(conf, images, DistributedFiles::isImageName)) {
      refs.add(new ImageRef(refs.size() + 1L, DistributedFiles.name(path), path));
    }
    if (refs.isEmpty()) {
      throw new IllegalArgumentException("no images (.png, .jpg, .jpeg, .bmp) in " + images);
    }
    byte[] modelBytes;
    try {
      modelBytes = DistributedFiles.read(conf, model);
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException(model + ": no such model file", e);
    }

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> modelShipped = jsc.broadcast(modelBytes);
    Broadcast<HadoopConf> hadoop = jsc.broadcast(new HadoopConf(conf));
    String job = spark.sparkContext().applicationId() + "/" + modelShipped.id();
    PredictSettings settings = request.settings();
    try {
      // Opened here first so that a bad model fails once, on the driver, with its own message;
      // local tasks (the driver is their executor) then share this very predictor.
      LowlightPredictor probe = ExecutorPredictors.get(job, modelShipped, model, settings);
      int partitions = SparkTwin.partitions(jsc, request.partitions(), refs.size());
      LOG.info("model {} ({} classes), {} images in {} partitions, {} ONNX Runtime threads per task", model,
          probe.info().classNames().size(), refs.size(), partitions, settings.intraOpThreads());
      // Kept after the first write: the second output and the summary must not predict again.
      JavaRDD<ImagePrediction> predictions = jsc.parallelize(refs, partitions)
          .mapPartitions(new Predict(job, modelShipped, model, settings, hadoop))
          .persist(StorageLevel.MEMORY_AND_DISK());
      List<String> written = new ArrayList<>();
      if (request.parquet()) {
        String parquet = DistributedFiles.child(output, PREDICTIONS_PARQUET);
        spark.createDataFrame(predictions.map(ImagePrediction::toRow), SCHEMA).write().parquet(parquet);
        written.add(parquet);
      }
      if (request.json()) {
        String json = DistributedFiles.child(output, PREDICTIONS_JSON);
        writeJson(predictions, conf, output, json);
        written.add(json);
      }
      // One pass over the kept predictions: each partition's detection count and failures.
      List<ImageFailure> failures = new ArrayList<>();
      long detections = 0;
      for (Tuple2<Long, List<ImageFailure>> part : predictions.mapPartitions(SparkPredict::tally).collect()) {
        detections += part._1();
        failures.addAll(part._2());
      }
      failures.sort(Comparator.comparingLong(ImageFailure::imageId));
      predictions.unpersist(false);
      if (!failures.isEmpty()) {
        String file = DistributedFiles.child(output, FAILURES);
        DistributedFiles.write(conf, file, Json.failures(failures));
        written.add(file);
      }
      return new Summary(refs.size(), detections, List.copyOf(failures), List.copyOf(written));
    } finally {
      ExecutorPredictors.release(job, settings);
      modelShipped.destroy();
      hadoop.destroy();
    }
  }

  /** A partition's detection count and failed images. */
  private static Iterator<Tuple2<Long, List<ImageFailure>>> tally(Iterator<ImagePrediction> predictions) {
    long detections = 0;
    List<ImageFailure> failures = new ArrayList<>();
    while (predictions.hasNext()) {
      ImagePrediction p = predictions.next();
      detections += p.detections().size();
      if (p.error() != null) {
        failures.add(p.toFailure());
      }
    }
    return List.of(new Tuple2<>(detections, failures)).iterator();
  }

  /**
   * Each partition writes its slice of the results list through the commit protocol; the driver
   * then joins the slices in partition order, which is image order, into one file.
   */
  private static void writeJson(JavaRDD<ImagePrediction> predictions, Configuration conf, String output, String json)
      throws IOException {
    String slices = DistributedFiles.child(output, JSON_SLICES);
    JavaPairRDD<String, byte[]> parts = predictions.mapPartitionsWithIndex(
        (index, it) -> List.of(new Tuple2<>(String.format("%09d.json", index), slice(it))).iterator(), true)
        .mapToPair(t -> t);
    CommittedFiles.save(parts, slices, conf);
    Path dir = new Path(slices);
    FileSystem fs = dir.getFileSystem(conf);
    List<Path> files = new ArrayList<>();
    for (var status : fs.listStatus(dir)) {
      files.add(status.getPath());
    }
    files.sort(Comparator.comparing(Path::getName)); // zero-padded partition numbers
    DistributedFiles.write(conf, json, out -> {
      out.write('[');
      boolean first = true;
      for (Path f : files) {
        if (fs.getFileStatus(f).getLen() == 0) {
          continue;
        }
        if (!first) {
          out.write(',');
        }
        first = false;
        try (InputStream in = fs.open(f)) {
          in.transferTo(out);
        }
      }
      out.write(']');
    });
    fs.delete(dir, true);
  }

  /**
   * The results of some images as the elements of a JSON list without its brackets: exactly the
   * bytes {@link CocoWriter} writes between them for these results, so slices joined with commas
   * inside one pair of brackets are the file {@code lowlight predict} writes.
   */
  static byte[] slice(Iterator<ImagePrediction> predictions) throws IOException {
    List<CocoResult> results = new ArrayList<>();
    Map<Long, String> fileNames = new LinkedHashMap<>();
    while (predictions.hasNext()) {
      ImagePrediction p = predictions.next();
      if (p.error() == null) {
        fileNames.put(p.imageId(), p.fileName());
        results.addAll(p.toCocoResults());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CocoWriter.writeResults(results, fileNames, out);
    byte[] list = out.toByteArray();
    if (list.length < 2 || list[0] != '[' || list[list.length - 1] != ']') {
      throw new IllegalStateException("CocoWriter wrote a results list that is not [ ... ]");
    }
    return Arrays.copyOfRange(list, 1, list.length - 1);
  }

  /** An image to predict: its id (1-based position in the directory), file name and full path. */
  record ImageRef(long id, String fileName, String path) implements Serializable {}

  /**
   * One detection as a COCO result.
   *
   * @param categoryId the model's label
   * @param bbox xywh
   * @param score the score
   * @param counts the mask as compressed RLE counts over the whole image
   */
  record Detection(long categoryId, double[] bbox, double score, String counts) implements Serializable {}

  /**
   * The outcome for one image: its detections, or the error that stopped it.
   *
   * @param height image height, 0 when it could not be read
   * @param width image width, 0 when it could not be read
   * @param error null when it was predicted
   */
  record ImagePrediction(long imageId, String fileName, String path, int height, int width, String error,
      List<Detection> detections) implements Serializable {

    static ImagePrediction of(ImageRef ref, Detections d) {
      List<Detection> out = new ArrayList<>();
      for (CocoResult r : CocoResults.from(ref.id(), d, null)) {
        BoxXywh b = r.bbox();
        out.add(new Detection(r.categoryId(), new double[] {b.x(), b.y(), b.w(), b.h()}, r.score(),
            ((Segmentation.CompressedRle) r.segmentation()).counts()));
      }
      return new ImagePrediction(ref.id(), ref.fileName(), ref.path(), d.imageHeight(), d.imageWidth(), null, out);
    }

    static ImagePrediction failed(ImageRef ref, Exception e) {
      return new ImagePrediction(ref.id(), ref.fileName(), ref.path(), 0, 0, Images.message(e), List.of());
    }

    List<CocoResult> toCocoResults() {
      List<CocoResult> out = new ArrayList<>(detections.size());
      for (Detection d : detections) {
        double[] b = d.bbox();
        out.add(new CocoResult(imageId, d.categoryId(), new BoxXywh(b[0], b[1], b[2], b[3]), d.score(),
            new Segmentation.CompressedRle(height, width, d.counts())));
      }
      return out;
    }

    ImageFailure toFailure() {
      return new ImageFailure(imageId, fileName, error);
    }

    /** The Parquet row ({@link #SCHEMA}); Spark's row encoder takes arrays, not Java lists. */
    Row toRow() {
      Row[] rows = new Row[detections.size()];
      for (int i = 0; i < rows.length; i++) {
        Detection d = detections.get(i);
        Row segmentation = RowFactory.create(new int[] {height, width}, d.counts());
        rows[i] = RowFactory.create(d.categoryId(), d.bbox().clone(), d.score(), segmentation);
      }
      boolean ok = error == null;
      return RowFactory.create(imageId, fileName, path, ok ? height : null, ok ? width : null, error, rows);
    }
  }

  /** A task: reads, decodes and predicts its images in batches, lazily, with the executor's predictor. */
  static final class Predict implements FlatMapFunction<Iterator<ImageRef>, ImagePrediction> {

    private static final long serialVersionUID = 1L;

    private final String job;
    private final Broadcast<byte[]> model;
    private final String name;
    private final PredictSettings settings;
    private final Broadcast<HadoopConf> hadoop;

    Predict(String job, Broadcast<byte[]> model, String name, PredictSettings settings, Broadcast<HadoopConf> hadoop) {
      this.job = job;
      this.model = model;
      this.name = name;
      this.settings = settings;
      this.hadoop = hadoop;
    }

    @Override
    public Iterator<ImagePrediction> call(Iterator<ImageRef> refs) {
      LowlightPredictor predictor = ExecutorPredictors.get(job, model, name, settings);
      Configuration conf = hadoop.value().get();
      return new Iterator<>() {
        private final ArrayDeque<ImagePrediction> ready = new ArrayDeque<>();

        @Override
        public boolean hasNext() {
          if (ready.isEmpty() && refs.hasNext()) {
            List<ImageRef> batch = new ArrayList<>(BATCH);
            while (batch.size() < BATCH && refs.hasNext()) {
              batch.add(refs.next());
            }
            ready.addAll(predict(predictor, conf, batch));
          }
          return !ready.isEmpty();
        }

        @Override
        public ImagePrediction next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return ready.poll();
        }
      };
    }
  }

  /**
   * Predicts a batch; an image that cannot be read, or on which the model fails, becomes a failed
   * prediction naming it, and the others are predicted all the same.
   */
  static List<ImagePrediction> predict(LowlightPredictor predictor, Configuration conf, List<ImageRef> batch) {
    ImagePrediction[] out = new ImagePrediction[batch.size()];
    List<RgbImage> decoded = new ArrayList<>(batch.size());
    List<Integer> positions = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      ImageRef ref = batch.get(i);
      try {
        decoded.add(ImageFiles.decode(Images.readBytes(conf, ref.path()), ref.path()));
        positions.add(i);
      } catch (RuntimeException e) {
        LOG.warn("skipping image {} (id {}): {}", ref.path(), ref.id(), e.getMessage());
        out[i] = ImagePrediction.failed(ref, e);
      }
    }
    List<Detections> detections = null;
    try {
      detections = predictor.predictBatch(decoded);
    } catch (RuntimeException e) {
      LOG.warn("a batch of {} images failed ({}); predicting them one by one", decoded.size(), e.getMessage());
    }
    for (int k = 0; k < positions.size(); k++) {
      ImageRef ref = batch.get(positions.get(k));
      try {
        Detections d = detections != null ? detections.get(k) : predictor.predict(decoded.get(k));
        out[positions.get(k)] = ImagePrediction.of(ref, d);
      } catch (RuntimeException e) {
        LOG.warn("skipping image {} (id {}): {}", ref.path(), ref.id(), e.getMessage());
        out[positions.get(k)] = ImagePrediction.failed(ref, new IllegalStateException("cannot predict on "
            + ref.path() + ": " + Images.message(e), e));
      }
    }
    return Arrays.asList(out);
  }
}
