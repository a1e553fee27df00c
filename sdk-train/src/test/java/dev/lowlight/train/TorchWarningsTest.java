package dev.lowlight.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's native warnings (NNPACK's, once per small convolution on CPUs it does not support) go
 * to the process's standard error, out of Java's reach, so a child JVM runs convolutions and its
 * standard error is read.
 */
class TorchWarningsTest {

  /** The child: {@code silence} or {@code keep}, then five small convolutions. */
  public static void main(String[] args) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.ones(new Shape(1)); // starts the engine, which loads libc10.so
      if (args[0].equals("silence")) {
        System.out.println("silenced=" + TorchWarnings.silence());
      }
      for (int i = 0; i < 5; i++) {
        NDArray x = m.randomNormal(new Shape(1, 8, 16, 16));
        NDArray w = m.randomNormal(new Shape(8, 8, 3, 3));
        ai.djl.nn.convolutional.Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1);
      }
    }
  }

  private static String run(String mode) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), TorchWarningsTest.class.getName(), mode));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void nnpackIsNotHeardFromOnceSilenced() throws Exception {
    String kept = run("keep");
    String silenced = run("silence");
    assertThat(silenced).contains("silenced=true").doesNotContain("NNPACK");
    // on CPUs NNPACK supports there was nothing to silence; on this project's VM it came with every convolution
    long before = kept.lines().filter(l -> l.contains("Could not initialize NNPACK")).count();
    assertThat(before).isIn(0L, 5L);
  }
}
