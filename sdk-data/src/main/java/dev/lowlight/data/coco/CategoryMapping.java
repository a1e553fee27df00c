package dev.lowlight.data.coco;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which dataset category each model label means. A model and a dataset that list their classes in
 * different orders silently mislabel every prediction unless the two are matched by name, so
 * matching is by name and any difference is an error that lists both sides.
 *
 * @param labelToCategory COCO category id by model label
 */
public record CategoryMapping(Map<Integer, Long> labelToCategory) {

  /** Model class names that stand for no class (torchvision's COCO list has them). */
  private static final List<String> PLACEHOLDERS = List.of("__background__", "N/A", "background");

  public CategoryMapping {
    labelToCategory = Map.copyOf(labelToCategory);
  }

  /** Label {@code i} is category {@code i}: for predictions without a dataset. */
  public static CategoryMapping identity(int numClasses) {
    Map<Integer, Long> m = new LinkedHashMap<>();
    for (int i = 1; i < numClasses; i++) {
      m.put(i, (long) i);
    }
    return new CategoryMapping(m);
  }

  /**
   * Matches by name. {@code modelClasses} is indexed by label (index 0 is background).
   *
   * @throws IllegalArgumentException when a name is missing on either side, listing both lists
   */
  public static CategoryMapping byName(List<String> modelClasses, List<CocoCategory> categories) {
    Map<String, Long> byName = new LinkedHashMap<>();
    for (CocoCategory c : categories) {
      byName.put(c.name(), c.id());
    }
    Map<Integer, Long> m = new LinkedHashMap<>();
    List<String> missingInDataset = new ArrayList<>();
    for (int label = 1; label < modelClasses.size(); label++) {
      String name = modelClasses.get(label);
      if (PLACEHOLDERS.contains(name)) {
        continue;
      }
      Long id = byName.get(name);
      if (id == null) {
        missingInDataset.add(name);
      } else {
        m.put(label, id);
      }
    }
    List<String> missingInModel = new ArrayList<>();
    for (String name : byName.keySet()) {
      if (!modelClasses.contains(name)) {
        missingInModel.add(name);
      }
    }
    if (!missingInDataset.isEmpty() || !missingInModel.isEmpty()) {
      throw new IllegalArgumentException("the model's classes and the dataset's categories differ"
          + (missingInDataset.isEmpty() ? "" : "; not in the dataset: " + missingInDataset)
          + (missingInModel.isEmpty() ? "" : "; not in the model: " + missingInModel)
          + ". Model classes: " + modelClasses.subList(Math.min(1, modelClasses.size()), modelClasses.size())
          + "; dataset categories: " + new ArrayList<>(byName.keySet())
          + ". Give --category-map FILE ({\"model class\": \"dataset category\" or id, ...}) to map them.");
    }
    return new CategoryMapping(m);
  }

  /**
   * Reads an explicit mapping: a JSON object from model class name to dataset category name or
   * id. Model classes it leaves out are dropped from the results.
   *
   * @throws IOException when the file cannot be read or names an unknown class or category
   */
  public static CategoryMapping fromFile(Path file, List<String> modelClasses, List<CocoCategory> categories)
      throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(file + ": not a JSON category map: " + dev.lowlight.api.config.JsonErrors.describe(e), e);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    }
    if (root == null || !root.isObject()) {
      throw new IOException(file + ": a category map must be a JSON object {\"model class\": \"dataset category\"}");
    }
    Map<String, Long> byName = new LinkedHashMap<>();
    for (CocoCategory c : categories) {
      byName.put(c.name(), c.id());
    }
    Map<Integer, Long> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int label = modelClasses.indexOf(e.getKey());
      if (label < 1) {
        throw new IOException(file + ": '" + e.getKey() + "' is not a class of the model; classes: "
            + modelClasses.subList(Math.min(1, modelClasses.size()), modelClasses.size()));
      }
      JsonNode v = e.getValue();
      Long id = v.isIntegralNumber() ? Long.valueOf(v.asLong()) : byName.get(v.asText());
      if (id == null || (v.isIntegralNumber() && !byName.containsValue(id))) {
        throw new IOException(file + ": '" + v.asText() + "' is not a category of the dataset; categories: "
            + new ArrayList<>(byName.keySet()));
      }
      m.put(label, id);
    }
    return new CategoryMapping(m);
  }

  /** The category of {@code label}, or null when the label is not mapped. */
  public Long category(int label) {
    return labelToCategory.get(label);
  }
}
