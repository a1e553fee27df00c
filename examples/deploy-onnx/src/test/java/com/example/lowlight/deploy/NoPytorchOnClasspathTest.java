package com.example.lowlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A deployment needs ONNX Runtime and nothing of the training stack: no DJL engine (PyTorch's or
 * any other) and no native PyTorch library may reach this project, in any scope.
 */
class NoPytorchOnClasspathTest {

  private static final List<String> FORBIDDEN = List.of("pytorch", "libtorch", "ai/djl/pytorch", "ai.djl.pytorch",
      "onnxruntime-engine", "ai/djl/onnxruntime", "sdk-train", "sdk-model");

  @Test
  void runtimeDependencyListHasOnnxRuntimeAndNoEngine() throws Exception {
    // Written by maven-dependency-plugin (dependency:list, runtime scope): what a user of this program ships.
    Path list = Path.of(System.getProperty("basedir", "."), "target", "runtime-dependencies.txt");
    assertThat(list).exists();
    List<String> jars = Files.readAllLines(list).stream().map(String::trim).filter(l -> l.contains(":jar:")).toList();
    assertThat(jars).as("the list names what a deployment ships, so the check below means something")
        .anyMatch(l -> l.startsWith("com.microsoft.onnxruntime:onnxruntime:"))
        .anyMatch(l -> l.startsWith("dev.lowlight:sdk-runtime:"));
    for (String bad : FORBIDDEN) {
      assertThat(jars).as("runtime dependencies").noneMatch(l -> l.toLowerCase(Locale.ROOT).contains(bad));
    }
  }

  @Test
  void testClasspathHasNoEngineJar() {
    // The test classpath is a superset of the runtime one: a PyTorch jar arriving in any scope fails here.
    List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    assertThat(entries).anyMatch(e -> e.contains("onnxruntime"));
    List<String> offending = new ArrayList<>();
    for (String e : entries) {
      for (String bad : FORBIDDEN) {
        if (e.toLowerCase(Locale.ROOT).replace('\\', '/').contains(bad)) {
          offending.add(e);
        }
      }
    }
    assertThat(offending).isEmpty();
  }

  @Test
  void noDjlAtAll() {
    // sdk-runtime is ONNX Runtime and plain Java: not even DJL's API comes with it
    assertThatThrownBy(() -> Class.forName("ai.djl.engine.Engine")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("ai.djl.pytorch.engine.PtEngine")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("ai.djl.pytorch.jni.JniUtils")).isInstanceOf(ClassNotFoundException.class);
    assertThat(Thread.currentThread().getContextClassLoader().getResource("native/lib/pytorch.properties")).isNull();
  }
}
