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
import java.util.Collections;
import java.util.HashMap;
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
import org.apache.spark.util.CollectionAccumulator;
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
 * through Spark's commit protocol ({@link CommittedFiles}); the parameters also come back to the
 * driver with the tasks' results (an accumulator), and the driver writes {@code annotations.json}
 * (the input's bytes) and {@code synthesis.json} from them, as {@code lowlight synth} does from its
 * parameters files. An image that cannot be read is skipped and listed in
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
    // What the driver needs besides the files: each image's parameters (a few hundred bytes) or
    // its failure. Spark merges a task's updates only when the task succeeds, and the bytes of an
    // image are the same in every attempt, so keying them by image id is exact.
    CollectionAccumulator<Outcome> outcomes = jsc.sc().collectionAccumulator("lowlight synth outcomes");
    try {
      JavaPairRDD<String, byte[]> files = jsc.parallelize(tasks, Math.max(1, partitions))
          .flatMapToPair(new Synthesise(recipe, hadoop, outcomes));
      long t0 = System.nanoTime();
      CommittedFiles.save(files, output, conf, format);
      LOG.info("{} images synthesised and committed in {} s", tasks.size(), seconds(System.nanoTime() - t0));
      Map<Long, Outcome> byId = new HashMap<>();
      for (Outcome o : outcomes.value()) {
        byId.put(o.imageId(), o);
      }
      List<byte[]> ordered = new ArrayList<>();
      List<ImageFailure> failures = new ArrayList<>();
      for (ImageTask t : tasks) {
        Outcome o = byId.get(t.id());
        if (o != null && o.failure() != null) {
          failures.add(o.failure());
        } else if (o != null) {
          ordered.add(o.parameters());
        }
      }
      DistributedFiles.write(conf, DistributedFiles.child(output, SceneDataset.ANNOTATIONS), annotationBytes);
      String sidecar = DistributedFiles.child(output, LowLightTwin.SIDECAR);
      DistributedFiles.write(conf, sidecar, LowLightTwin.sidecar(synthesis, request.seed(), ordered));
      if (!failures.isEmpty()) {
        DistributedFiles.write(conf, DistributedFiles.child(output, FAILURES), Json.failures(failures));
      }
      return new Summary(tasks.size(), ordered.size(), List.copyOf(failures), sidecar);
    } finally {
      hadoop.destroy();
    }
  }

  static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
  }

  /** The partition count: as asked, else four per core so that slow images even out. */
  static int partitions(JavaSparkContext jsc, int asked, int items) {
    if (asked > 0) {
      return asked;
    }
    return Math.max(1, Math.min(items, 4 * jsc.defaultParallelism()));
  }

  /** One image of the annotations, as a task needs it. */
  record ImageTask(long id, String fileName, int width, int height) implements Serializable {
    CocoImage toCocoImage() {
      return new CocoImage(id, fileName, width, height);
    }
  }

  /**
   * What became of one image: its parameters file's bytes, or its failure.
   *
   * @param imageId the image
   * @param parameters the bytes of {@code synthesis/<id>.json}, or null when it failed
   * @param failure why it failed, or null
   */
  record Outcome(long imageId, byte[] parameters, ImageFailure failure) implements Serializable {}

  /** What every task needs to rebuild the synthesizer and find the images. */
  record Recipe(String preset, LinkedHashMap<String, String> options, long seed, String images) implements Serializable {}

  /** The per-image step on the executors: clean bytes in, the image's output files out. */
  static final class Synthesise implements PairFlatMapFunction<ImageTask, String, byte[]> {

    private static final long serialVersionUID = 1L;
    /** One synthesizer per preset and options in each executor JVM, shared by its task threads. */
    private static final Map<List<Object>, Synthesis> SYNTHESES = new ConcurrentHashMap<>();

    private final Recipe recipe;
    private final Broadcast<HadoopConf> hadoop;
    private final CollectionAccumulator<Outcome> outcomes;

    Synthesise(Recipe recipe, Broadcast<HadoopConf> hadoop, CollectionAccumulator<Outcome> outcomes) {
      this.recipe = recipe;
      this.hadoop = hadoop;
      this.outcomes = outcomes;
    }

    @Override
    public Iterator<Tuple2<String, byte[]>> call(ImageTask t) {
      String source = DistributedFiles.child(recipe.images(), t.fileName());
      try {
        byte[] clean = Images.readBytes(hadoop.value().get(), source);
        LowLightTwin.TwinImage twin = LowLightTwin.synthesise(clean, source, t.toCocoImage(), synthesis(), recipe.seed());
        outcomes.add(new Outcome(t.id(), twin.parameters(), null));
        return List.of(new Tuple2<>(SceneDataset.IMAGES + "/" + t.fileName(), twin.image()),
            new Tuple2<>(PARAMETERS + "/" + t.id() + ".json", twin.parameters())).iterator();
      } catch (IOException | RuntimeException e) {
        // as lowlight synth does: the image is skipped, named, and the others go on
        LOG.warn("skipping {} (image id {}): {}", source, t.id(), e.getMessage());
        outcomes.add(new Outcome(t.id(), null, new ImageFailure(t.id(), t.fileName(), Images.message(e))));
        return Collections.emptyIterator();
      }
    }

    private Synthesis synthesis() {
      return SYNTHESES.computeIfAbsent(List.of(recipe.preset(), recipe.options()),
          k -> Synthesis.create(recipe.preset(), recipe.options()));
    }
  }
}
