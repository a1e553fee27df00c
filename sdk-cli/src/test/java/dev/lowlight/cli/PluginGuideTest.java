package dev.lowlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowlight.api.conformance.ConformanceKit;
import dev.lowlight.api.spi.DenoiserProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * docs/plugins.md is the plugin recipe a new author follows with no SDK source at hand: its Java
 * compiles as printed, the plugin passes the conformance kit through its printed service file, and
 * its pom takes every version from the BOM.
 */
class PluginGuideTest {

  private static final Path ROOT = Path.of(System.getProperty("lowlight.root", "..")).toAbsolutePath().normalize();
  private static final Pattern BLOCK = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path dir;

  private static Map<String, List<String>> blocks() throws Exception {
    String doc = Files.readString(ROOT.resolve("docs/plugins.md"));
    Map<String, List<String>> out = new LinkedHashMap<>();
    Matcher m = BLOCK.matcher(doc);
    while (m.find()) {
      out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
    }
    return out;
  }

  @Test
  void theGuidesPluginCompilesAsPrintedAndPassesTheKit() throws Throwable {
    Map<String, List<String>> blocks = blocks();
    Path src = Files.createDirectories(dir.resolve("src"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    List<String> files = new ArrayList<>();
    for (String java : blocks.get("java")) {
      Matcher name = Pattern.compile("(?:class|record) (\\w+)").matcher(java);
      assertThat(name.find()).isTrue();
      Path f = src.resolve(name.group(1) + ".java");
      Files.writeString(f, java);
      files.add(f.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classpath, "--release", "17",
        "-proc:none"));
    args.addAll(files);
    assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac of the guide's code").isZero();
    String service = blocks.get("").stream().filter(b -> b.strip().equals("org.acme.smooth.SeSmoothProvider"))
        .findFirst().orElseThrow();
    Path services = Files.createDirectories(classes.resolve("META-INF/services"));
    Files.writeString(services.resolve(DenoiserProvider.class.getName()), service);

    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        getClass().getClassLoader())) {
      DenoiserProvider<?> provider = (DenoiserProvider<?>) loader.loadClass("org.acme.smooth.SeSmoothProvider")
          .getDeclaredConstructor().newInstance();
      ClassLoader saved = Thread.currentThread().getContextClassLoader();
      Thread.currentThread().setContextClassLoader(loader); // the kit's registry look-up sees the plugin's service file
      int ran = 0;
      try {
        for (DynamicTest t : ConformanceKit.forDenoiser(provider).channels(8).tests().toList()) {
          try {
            t.getExecutable().execute();
            ran++;
          } catch (TestAbortedException skipped) {
            // an option combination the record refuses
          }
        }
      } finally {
        Thread.currentThread().setContextClassLoader(saved);
      }
      assertThat(ran).isGreaterThan(20);
    }
  }

  @Test
  void theGuidesPomTakesEveryVersionFromTheBom() throws Exception {
    String pom = blocks().get("xml").get(0);
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new java.io.ByteArrayInputStream(pom.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    var bom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(ROOT.resolve("sdk-bom/pom.xml").toFile());
    List<String> managed = new ArrayList<>();
    NodeList bomDeps = bom.getElementsByTagName("dependency");
    for (int i = 0; i < bomDeps.getLength(); i++) {
      Element d = (Element) bomDeps.item(i);
      managed.add(text(d, "groupId") + ":" + text(d, "artifactId"));
    }
    Element dependencies = (Element) doc.getDocumentElement().getElementsByTagName("dependencies").item(1);
    NodeList deps = dependencies.getElementsByTagName("dependency");
    assertThat(deps.getLength()).isGreaterThanOrEqualTo(9);
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      String key = text(d, "groupId") + ":" + text(d, "artifactId");
      assertThat(d.getElementsByTagName("version").getLength()).as("%s has no version of its own", key).isZero();
      assertThat(managed).as("the BOM manages %s", key).contains(key);
    }
  }

  private static String text(Element e, String tag) {
    return e.getElementsByTagName(tag).item(0).getTextContent().trim();
  }
}
