package dev.lowlight.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hides PyTorch's native warnings. On CPUs whose cache sizes NNPACK cannot read, PyTorch 2.7.1
 * prints {@code Could not initialize NNPACK! Reason: Unsupported hardware.} for every small
 * convolution (over a thousand times in a short training log), and neither PyTorch nor DJL offers
 * a switch: {@code TORCH_CPP_LOG_LEVEL} is read only by PyTorch's Python start-up. The level lives
 * in c10's {@code FLAGS_caffe2_log_level}, which this class sets to errors only, through
 * JavaCPP's symbol look-up, once the engine's {@code libc10.so} is loaded.
 *
 * <p>{@code -Dlowlight.torchWarnings=true} keeps the warnings.
 */
public final class TorchWarnings {

  /** System property that keeps PyTorch's native warnings. */
  public static final String PROPERTY = "lowlight.torchWarnings";

  private static final Logger LOG = LoggerFactory.getLogger(TorchWarnings.class);
  private static final int ERRORS_ONLY = 2;
  private static volatile boolean done;

  private TorchWarnings() {}

  /**
   * Hides the warnings from now on; call after the PyTorch engine has started. Does nothing, and
   * says why at debug level, where the library or its symbol cannot be found (not Linux, another
   * build of PyTorch).
   *
   * @return whether the warnings are hidden
   */
  public static synchronized boolean silence() {
    if (done || Boolean.getBoolean(PROPERTY)) {
      return done;
    }
    try {
      Path c10 = loadedLibrary("libc10.so");
      if (c10 == null) {
        LOG.debug("PyTorch's native warnings stay: libc10.so is not loaded in this process");
        return false;
      }
      Loader.loadGlobal(c10.toString()); // its symbols become visible to the look-up
      Pointer level = Loader.addressof("FLAGS_caffe2_log_level");
      if (level == null || level.isNull()) {
        LOG.debug("PyTorch's native warnings stay: {} has no FLAGS_caffe2_log_level", c10);
        return false;
      }
      try (IntPointer flag = new IntPointer(level)) {
        if (flag.get() < ERRORS_ONLY) {
          flag.put(ERRORS_ONLY);
        }
      }
      done = true;
      LOG.debug("PyTorch's native warnings hidden (-D{}=true keeps them)", PROPERTY);
      return true;
    } catch (RuntimeException | UnsatisfiedLinkError | IOException e) {
      LOG.debug("PyTorch's native warnings stay: {}", e.toString());
      return false;
    }
  }

  /** The path of a native library this process has mapped, from {@code /proc/self/maps}, or null. */
  private static Path loadedLibrary(String name) throws IOException {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return null;
    }
    for (String line : Files.readAllLines(maps)) {
      int slash = line.indexOf('/');
      if (slash >= 0 && line.endsWith("/" + name)) {
        return Path.of(line.substring(slash));
      }
    }
    return null;
  }
}
