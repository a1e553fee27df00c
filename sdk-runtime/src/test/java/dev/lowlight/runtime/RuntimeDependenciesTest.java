package dev.lowlight.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * sdk-runtime must never bring DJL's PyTorch engine (DESIGN.md: deployment is ONNX Runtime only).
 * Two checks: the runtime-scope dependency list that the build writes with {@code dependency:list}
 * ({@code target/runtime-dependencies.txt}, what a user of the jar gets), and the test classpath,
 * which is a superset of the runtime one, so a PyTorch jar arriving through any scope fails too.
 */
class RuntimeDependenciesTest {

  private static final List<String> FORBIDDEN = List.of("ai.djl.pytorch", "pytorch-engine", "pytorch-native",
      "pytorch-jni", "libtorch");

  @Test
  void runtimeScopeHasOnnxRuntimeAndNoPytorch() throws Exception {
    Path list = Path.of(System.getProperty("basedir", "."), "target", "runtime-dependencies.txt");
    assertThat(list).as("written by maven-dependency-plugin (dependency:list) in generate-test-resources").exists();
    List<String> lines = Files.readAllLines(list).stream().map(String::trim)
        .filter(l -> l.contains(":jar:")).toList();
    assertThat(lines).as("the list is not empty, so the check below means something")
        .anyMatch(l -> l.startsWith("com.microsoft.onnxruntime:"))
        .anyMatch(l -> l.startsWith("dev.lowlight:sdk-data:"));
    for (String bad : FORBIDDEN) {
      assertThat(lines).as("runtime dependencies").noneMatch(l -> l.toLowerCase(Locale.ROOT).contains(bad));
    }
    assertThat(lines).noneMatch(l -> l.toLowerCase(Locale.ROOT).contains("pytorch"));
  }

  @Test
  void runtimeScopeIsOnnxRuntimeAndPlainJava() throws Exception {
    Path list = Path.of(System.getProperty("basedir", "."), "target", "runtime-dependencies.txt");
    List<String> groups = Files.readAllLines(list).stream().map(String::trim).filter(l -> l.contains(":jar:"))
        .map(l -> l.substring(0, l.indexOf(':'))).distinct().sorted().toList();
    // what a service that only predicts gets: the SDK's plain-Java modules, ONNX Runtime, JSON, logging
    assertThat(groups).containsExactlyInAnyOrder("com.fasterxml.jackson.core", "com.microsoft.onnxruntime",
        "dev.lowlight", "org.slf4j");
  }

  @Test
  void classpathHasNoPytorchJarOrEngine() {
    List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    assertThat(entries).anyMatch(e -> e.contains("onnxruntime"));
    assertThat(entries).noneMatch(e -> e.toLowerCase(Locale.ROOT).contains("pytorch"));
    assertThatThrownBy(() -> Class.forName("ai.djl.pytorch.engine.PtEngine"))
        .isInstanceOf(ClassNotFoundException.class);
  }
}
