package dev.lowlight.train.checkpoint;

import dev.lowlight.api.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowlight.model.weights.Safetensors;
import dev.lowlight.model.weights.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of a run, one directory each:
 *
 * <pre>
 * DIR/ckpt-00000200/model.safetensors      every parameter under torchvision's names
 * DIR/ckpt-00000200/optimizer.safetensors  the optimizer's state ({@code slot.parameterName})
 * DIR/ckpt-00000200/state.json             {@link CheckpointState}
 * DIR/best.json                            {"checkpoint": "ckpt-00000200", "ap": ...}
 * </pre>
 *
 * A checkpoint is written into {@code .ckpt-N.tmp}, each file forced to disk, then the directory
 * renamed; anything whose name does not match {@code ckpt-N} (a leftover temporary directory of a
 * crashed write) is ignored and cleaned up. The last {@code keepLast} and the best are kept.
 *
 * <pre>{@code
 * Checkpoints ckpts = new Checkpoints(runDir.resolve("checkpoints"), 3);
 * Optional<Path> last = ckpts.latest();
 * }</pre>
 */
public final class Checkpoints {

  /** Weights file in a checkpoint. */
  public static final String WEIGHTS = "model.safetensors";
  /** Optimizer file in a checkpoint. */
  public static final String OPTIMIZER = "optimizer.safetensors";
  /** State file in a checkpoint. */
  public static final String STATE = "state.json";
  /** Pointer to the best checkpoint. */
  public static final String BEST = "best.json";

  private static final Pattern NAME = Pattern.compile("ckpt-(\\d{8})");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

  private final Path dir;
  private final int keepLast;
  /** Called at each step of a write, for tests that stop a write there as a kill would. */
  private java.util.function.Consumer<String> steps = step -> { };

  /**
   * @param dir the checkpoint directory (created when needed)
   * @param keepLast how many of the latest checkpoints to keep, at least 1
   */
  public Checkpoints(Path dir, int keepLast) {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keep at least 1 checkpoint, got " + keepLast);
    }
    this.dir = dir;
    this.keepLast = keepLast;
  }

  /**
   * Calls {@code hook} with the name of each step a write reaches ({@code written}: the temporary
   * directory is complete; {@code set-aside}: the checkpoint it replaces was moved away; {@code
   * published}: the new one has its name), so a test can stop the write there.
   */
  void onStep(java.util.function.Consumer<String> hook) {
    this.steps = hook;
  }

  /** A loaded checkpoint. */
  public record Loaded(Path path, CheckpointState state, StateDict weights, StateDict optimizer) {}

  /** The best checkpoint's pointer. */
  public record Best(String checkpoint, double ap, int iteration) {}

  /** The directory. */
  public Path directory() {
    return dir;
  }

  /** Writes a checkpoint for {@code state.iteration()} and prunes old ones; returns its path. */
  public Path write(CheckpointState state, StateDict weights, StateDict optimizer) throws IOException {
    Files.createDirectories(dir);
    String name = String.format(java.util.Locale.ROOT, "ckpt-%08d", state.iteration());
    Path tmp = dir.resolve("." + name + ".tmp");
    AtomicFiles.deleteTree(tmp);
    Files.createDirectories(tmp);
    AtomicFiles.writeDurably(tmp.resolve(WEIGHTS), Safetensors.toBytes(weights));
    AtomicFiles.writeDurably(tmp.resolve(OPTIMIZER), Safetensors.toBytes(optimizer));
    AtomicFiles.writeDurably(tmp.resolve(STATE), JSON.writeValueAsBytes(state));
    AtomicFiles.forceDirectory(tmp);
    steps.accept("written");
    Path target = dir.resolve(name);
    if (Files.exists(target)) {
      // Rewriting the same iteration (a resumed run that stops where it stopped): replace it.
      Path old = dir.resolve("." + name + ".old");
      AtomicFiles.deleteTree(old);
      AtomicFiles.move(target, old);
      steps.accept("set-aside");
      AtomicFiles.move(tmp, target);
      steps.accept("published");
      AtomicFiles.deleteTree(old);
    } else {
      AtomicFiles.move(tmp, target);
      steps.accept("published");
    }
    AtomicFiles.forceDirectory(dir);
    prune();
    return target;
  }

  /** The complete checkpoints, oldest first. */
  public List<Path> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve(STATE)))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
  }

  /** The newest complete checkpoint, if any; leftover temporary directories are removed. */
  public Optional<Path> latest() throws IOException {
    cleanTemporaries();
    List<Path> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Reads a checkpoint directory. */
  public static Loaded read(Path checkpoint) throws IOException {
    Path state = checkpoint.resolve(STATE);
    if (!Files.isRegularFile(state)) {
      throw new IOException(checkpoint + " is not a complete checkpoint: " + STATE + " is missing");
    }
    CheckpointState s = JSON.readValue(state.toFile(), CheckpointState.class);
    return new Loaded(checkpoint, s, Safetensors.read(checkpoint.resolve(WEIGHTS)),
        Safetensors.read(checkpoint.resolve(OPTIMIZER)));
  }

  /** Records {@code checkpoint} as the best (atomically). */
  public void markBest(Path checkpoint, double ap, int iteration) throws IOException {
    AtomicFiles.write(dir.resolve(BEST), JSON.writeValueAsBytes(new Best(checkpoint.getFileName().toString(), ap,
        iteration)));
  }

  /** The best checkpoint's pointer, if one was recorded. */
  public Optional<Best> best() throws IOException {
    Path f = dir.resolve(BEST);
    return Files.isRegularFile(f) ? Optional.of(JSON.readValue(f.toFile(), Best.class)) : Optional.empty();
  }

  /** Deletes all but the last {@code keepLast} and the best. */
  public void prune() throws IOException {
    List<Path> all = new ArrayList<>(list());
    String best = best().map(Best::checkpoint).orElse(null);
    for (int i = 0; i < all.size() - keepLast; i++) {
      Path p = all.get(i);
      if (!p.getFileName().toString().equals(best)) {
        AtomicFiles.deleteTree(p);
      }
    }
  }

  private void cleanTemporaries() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        Matcher setAside = Pattern.compile("\\.(ckpt-\\d{8})\\.old").matcher(n);
        if (setAside.matches() && !Files.exists(dir.resolve(setAside.group(1)))) {
          // killed between moving the checkpoint aside and publishing its replacement: the one set
          // aside is complete, so it gets its name back
          LOG.warn("restoring {} from {}, set aside by an interrupted checkpoint write", setAside.group(1), p);
          AtomicFiles.move(p, dir.resolve(setAside.group(1)));
          continue;
        }
        if (n.startsWith(".ckpt-")) {
          LOG.warn("removing {}, left by an interrupted checkpoint write", p);
          AtomicFiles.deleteTree(p);
        }
      }
    }
  }

  /** The iteration of a checkpoint directory's name, or -1. */
  public static int iterationOf(Path checkpoint) {
    Matcher m = NAME.matcher(checkpoint.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }
}
