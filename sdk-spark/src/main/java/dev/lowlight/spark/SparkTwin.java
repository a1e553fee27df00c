package dev.lowlight.spark;

import dev.lowlight.data.coco.CocoDataset;
import dev.lowlight.data.coco.CocoImage;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.data.dataset.LowLightTwin;
import dev.lowlight.data.dataset.LowLightTwin.Synthesis;
import dev.lowlight.data.dataset.SceneDataset;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The low-light twin of a COCO dataset on Spark: what {@code lowlight synth} writes, byte for byte,
 * with the images darkened on the executors.
 *
 * <p>The annotations are read on the driver and their image list is cut into partitions; each
 * task reads its clean images from the image directory (any file system Hadoop reaches) and calls
 * {@link LowLightTwin#synthesise}, the per-image step of {@code lowlight synth}, with the image's
 * own seed, so the bytes depend on neither the number of partitions nor the order of work. The
 * images and their parameters files ({@code images/}, {@code synthesis/<id>.json}) are written
 * through Spark's commit protocol ({@link CommittedFiles}); the driver then writes {@code
 * annotations.json} (the input's bytes) and {@code synthesis.json} from the committed parameters
 * files, as {@code lowlight synth} does. An image that cannot be read is skipped and listed in
 * {@code failures.json} (absent when there is none), with the same message {@code lowlight synth}
 * logs.
 *
 * <pre>{@code
 * SparkTwin.Summary s = SparkTwin.run(spark, new SparkTwin.Request("coco/instances_train2017.json",
 *     "coco/train2017", "dark", "maet", Map.of(), 1L, 0));
 * }</pre>
 */
public final class SparkTwin {

  /** Where failed images are listed, when there are any. */
  public static final String FAILURES = "failures.json";

  private static final Logger LOG = LoggerFactory.getLogger(SparkTwin.class);
  private static final String PARAMETERS = "synthesis";
  /**
   * Committed with the images, then gathered into {@link #FAILURES} and removed. (Not "_failed":
   * Hadoop's input formats skip names that start with '_' or '.', folders included.)
   */
  private static final String FAILED = "failed-images";

  private SparkTwin() {}

  /**
   * What to make.
   *
   * @param annotations the clean dataset's COCO annotation file
   * @param images the clean images' directory
   * @param output the twin's directory; missing or empty
   * @param preset the synthesizer plugin
   * @param options synthesizer options as text ({@code --option key=value})
   * @param seed the dataset seed
   * @param partitions how many tasks to cut the images into; 0 for four per core of the cluster
   */
  public record Request(String annotations, String images, String output, String preset, Map<String, String> options,
      long seed, int partitions) {

    /** Copies the options; checks the partition count. */
    public Request {
      options = Map.copyOf(options);
      if (partitions < 0) {
        throw new IllegalArgumentException("partitions must be >= 0 (0 = four per core), got " + partitions);
      }
    }
  }

  /**
   * What a run did.
   *
   * @param images images in the annotations
   * @param written images synthesised
   * @param failures the images that could not be read or synthesised, in the annotations' order
   * @param sidecar the parameters file written
   */
  public record Summary(int images, int written, List<ImageFailure> failures, String sidecar) {}

  /**
   * Makes the twin.
   *
   * @throws IOException when the annotations cannot be read or the outputs cannot be written
   * @throws IllegalArgumentException when the output directory is not empty or an image's file
   *     name would leave the images directory
   * @throws dev.lowlight.api.registry.PluginException when no synthesizer has the preset's name
   * @throws dev.lowlight.api.config.ConfigException when an option is unknown or invalid
   */
  public static Summary run(SparkSession spark, Request request) throws IOException {
    return run(spark, request, CommittedFiles.Format.class);
  }

  static Summary run(SparkSession spark, Request request, Class<? extends CommittedFiles.Format> format)
      throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Synthesis synthesis = Synthesis.create(request.preset(), request.options()); // bad options fail here, once
    String annotations = DistributedFiles.qualify(conf, request.annotations());
    String images = DistributedFiles.qualify(conf, request.images());
    String output = DistributedFiles.qualify(conf, request.output());
    DistributedFiles.checkJobDirectories(conf, images, output);
    byte[] annotationBytes;
    try {
      annotationBytes = DistributedFiles.read(conf, annotations);
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException(annotations + ": no such annotation file", e);
    }
    CocoDataset dataset = CocoReader.readDataset(new ByteArrayInputStream(annotationBytes), annotations);
    List<ImageTask> tasks = new ArrayList<>();
    for (CocoImage image : dataset.images()) {
      try {
        CommittedFiles.checkRelative(image.fileName());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(annotations + ": image id " + image.id() + ": file_name " + e.getMessage(), e);
      }
      tasks.add(new ImageTask(image.id(), image.fileName(), image.width(), image.height()));
    }

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HadoopConf> hadoop = jsc.broadcast(new HadoopConf(conf));
    int partitions = partitions(jsc, request.partitions(), tasks.size());
    LOG.info("synthesizer {} with {}; {} images in {} partitions", synthesis.name(), synthesis.options(), tasks.size(),
        partitions);
    Recipe recipe = new Recipe(request.preset(), new LinkedHashMap<>(request.options()), request.seed(), images);
    try {
      JavaPairRDD<String, byte[]> files = jsc.parallelize(tasks, Math.max(1, partitions))
          .flatMapToPair(new Synthesise(recipe, hadoop));
      CommittedFiles.save(files, output, conf, format);

      Map<String, byte[]> parameters = gather(jsc, conf, DistributedFiles.child(output, PARAMETERS));
      Map<String, byte[]> failed = gather(jsc, conf, DistributedFiles.child(output, FAILED));
      List<byte[]> ordered = new ArrayList<>();
      List<ImageFailure> failures = new ArrayList<>();
      for (ImageTask t : tasks) {
        byte[] p = parameters.get(t.id() + ".json");
        if (p != null) {
          ordered.add(p);
        }
        byte[] f = failed.get(t.id() + ".json");
        if (f != null) {
          failures.add(Json.MAPPER.readValue(f, ImageFailure.class));
        }
      }
      DistributedFiles.write(conf, DistributedFiles.child(output, SceneDataset.ANNOTATIONS), annotationBytes);
      String sidecar = DistributedFiles.child(output, LowLightTwin.SIDECAR);
      DistributedFiles.write(conf, sidecar, LowLightTwin.sidecar(synthesis, request.seed(), ordered));
      if (!failures.isEmpty()) {
        DistributedFiles.write(conf, DistributedFiles.child(output, FAILURES), Json.failures(failures));
      }
      DistributedFiles.delete(conf, DistributedFiles.child(output, FAILED));
      return new Summary(tasks.size(), ordered.size(), List.copyOf(failures), sidecar);
    } finally {
      hadoop.destroy();
    }
  }

  /** The partition count: as asked, else four per core so that slow images even out. */
  static int partitions(JavaSparkContext jsc, int asked, int items) {
    if (asked > 0) {
      return asked;
    }
    return Math.max(1, Math.min(items, 4 * jsc.defaultParallelism()));
  }

  /** Every file directly in {@code dir} by name, read in parallel; empty when there is no such directory. */
  static Map<String, byte[]> gather(JavaSparkContext jsc, Configuration conf, String dir) throws IOException {
    if (!DistributedFiles.isDirectory(conf, dir)) {
      return Map.of();
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Tuple2<String, byte[]> t : jsc.binaryFiles(dir, jsc.defaultParallelism())
        .mapToPair(f -> new Tuple2<>(DistributedFiles.name(f._1()), f._2().toArray())).collect()) {
      out.put(t._1(), t._2());
    }
    return out;
  }

  /** One image of the annotations, as a task needs it. */
  record ImageTask(long id, String fileName, int width, int height) implements Serializable {
    CocoImage toCocoImage() {
      return new CocoImage(id, fileName, width, height);
    }
  }

  /** What every task needs to rebuild the synthesizer and find the images. */
  record Recipe(String preset, LinkedHashMap<String, String> options, long seed, String images) implements Serializable {}

  /** The per-image step on the executors: clean bytes in, the image's output files out. */
  static final class Synthesise implements PairFlatMapFunction<ImageTask, String, byte[]> {

    private static final long serialVersionUID = 1L;
    /** One synthesizer per preset and options in each executor JVM, shared by its task threads. */
    private static final Map<List<Object>, Synthesis> SYNTHESES = new ConcurrentHashMap<>();

    private final Recipe recipe;
    private final Broadcast<HadoopConf> hadoop;

    Synthesise(Recipe recipe, Broadcast<HadoopConf> hadoop) {
      this.recipe = recipe;
      this.hadoop = hadoop;
    }

    @Override
    public Iterator<Tuple2<String, byte[]>> call(ImageTask t) {
      String source = DistributedFiles.child(recipe.images(), t.fileName());
      try {
        byte[] clean = Images.readBytes(hadoop.value().get(), source);
        LowLightTwin.TwinImage twin = LowLightTwin.synthesise(clean, source, t.toCocoImage(), synthesis(), recipe.seed());
        return List.of(new Tuple2<>(SceneDataset.IMAGES + "/" + t.fileName(), twin.image()),
            new Tuple2<>(PARAMETERS + "/" + t.id() + ".json", twin.parameters())).iterator();
      } catch (IOException | RuntimeException e) {
        // as lowlight synth does: the image is skipped, named, and the others go on
        LOG.warn("skipping {} (image id {}): {}", source, t.id(), e.getMessage());
        byte[] failure = Json.bytes(new ImageFailure(t.id(), t.fileName(), Images.message(e)));
        return List.of(new Tuple2<>(FAILED + "/" + t.id() + ".json", failure)).iterator();
      }
    }

    private Synthesis synthesis() {
      return SYNTHESES.computeIfAbsent(List.of(recipe.preset(), recipe.options()),
          k -> Synthesis.create(recipe.preset(), recipe.options()));
    }
  }
}
