package dev.lowlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Each module carries its own version in three places: its pom, the parent's property that
 * siblings depend on, and the BOM users import. This test fails the build when they drift.
 */
class VersionAlignmentTest {

  private static final Path ROOT = Path.of(System.getProperty("lowlight.root", "..")).toAbsolutePath().normalize();

  @Test
  void bomParentAndModulesAgree() throws Exception {
    Document parent = parse(ROOT.resolve("pom.xml"));
    Document bom = parse(ROOT.resolve("sdk-bom/pom.xml"));
    Map<String, String> bomVersions = new LinkedHashMap<>();
    Map<String, String> thirdParty = new LinkedHashMap<>();
    NodeList deps = bom.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      if (text(d, "groupId").equals("dev.lowlight")) {
        bomVersions.put(text(d, "artifactId"), text(d, "version"));
      } else {
        thirdParty.put(text(d, "groupId") + ":" + text(d, "artifactId"), text(d, "version"));
      }
    }
    Map<String, String> props = new LinkedHashMap<>();
    NodeList p = ((Element) parent.getElementsByTagName("properties").item(0)).getChildNodes();
    for (int i = 0; i < p.getLength(); i++) {
      if (p.item(i) instanceof Element e) {
        props.put(e.getTagName(), e.getTextContent().trim());
      }
    }
    assertThat(bomVersions).isNotEmpty();
    // Every SDK module of the build is in the BOM, with its parent property (sdk-spark included).
    NodeList modules = parent.getElementsByTagName("module");
    for (int i = 0; i < modules.getLength(); i++) {
      String module = modules.item(i).getTextContent().trim();
      if (module.startsWith("sdk-") && !module.equals("sdk-bom")) {
        assertThat(bomVersions).as("BOM entry of module %s", module).containsKey(module);
        assertThat(props).as("parent property of module %s", module)
            .containsKey("lowlight." + module.substring(4) + ".version");
      }
    }
    assertThat(bomVersions).containsKey("sdk-spark");
    Pattern suffix = Pattern.compile("sdk-(.*)");
    for (Map.Entry<String, String> e : bomVersions.entrySet()) {
      String module = e.getKey();
      Document pom = parse(ROOT.resolve(module).resolve("pom.xml"));
      String own = directChildText(pom.getDocumentElement(), "version");
      assertThat(e.getValue()).as("BOM version of %s vs %s/pom.xml", module, module).isEqualTo(own);
      Matcher m = suffix.matcher(module);
      assertThat(m.matches()).isTrue();
      String property = props.get("lowlight." + m.group(1) + ".version");
      if (property != null) {
        assertThat(property).as("parent property lowlight.%s.version vs %s/pom.xml", m.group(1), module).isEqualTo(own);
      }
    }
    // the engines and test libraries the BOM manages for plugins are the ones the parent builds with
    assertThat(thirdParty).isNotEmpty();
    Map<String, String> managed = new LinkedHashMap<>();
    NodeList parentDeps = ((Element) parent.getElementsByTagName("dependencyManagement").item(0))
        .getElementsByTagName("dependency");
    for (int i = 0; i < parentDeps.getLength(); i++) {
      Element d = (Element) parentDeps.item(i);
      managed.put(resolve(text(d, "groupId"), props) + ":" + resolve(text(d, "artifactId"), props),
          resolve(text(d, "version"), props));
    }
    // the parent's -Pgpu profile builds with onnxruntime_gpu at onnxruntime's version; the BOM offers both
    managed.put("com.microsoft.onnxruntime:onnxruntime_gpu", managed.get("com.microsoft.onnxruntime:onnxruntime"));
    assertThat(thirdParty).containsKeys("com.microsoft.onnxruntime:onnxruntime",
        "com.microsoft.onnxruntime:onnxruntime_gpu");
    for (Map.Entry<String, String> e : thirdParty.entrySet()) {
      assertThat(managed).as("the parent manages %s", e.getKey()).containsKey(e.getKey());
      assertThat(e.getValue()).as("BOM version of %s vs the parent's", e.getKey()).isEqualTo(managed.get(e.getKey()));
    }
  }

  /** {@code ${djl.version}} and nested properties, as the parent's properties give them. */
  private static String resolve(String value, Map<String, String> props) {
    Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = props.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : resolve(v, props)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Document parse(Path file) throws Exception {
    assertThat(file).exists();
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Files.newInputStream(file));
  }

  private static String text(Element e, String tag) {
    return e.getElementsByTagName(tag).item(0).getTextContent().trim();
  }

  private static String directChildText(Element e, String tag) {
    NodeList children = e.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element c && c.getTagName().equals(tag)) {
        return c.getTextContent().trim();
      }
    }
    throw new AssertionError("no <" + tag + "> in " + e.getTagName());
  }
}
