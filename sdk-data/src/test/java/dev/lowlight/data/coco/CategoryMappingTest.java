package dev.lowlight.data.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CategoryMappingTest {

  @TempDir Path dir;

  private final List<CocoCategory> dataset = List.of(new CocoCategory(7, "ring", null), new CocoCategory(3, "disc", null));

  @Test
  void matchesByNameWhateverTheOrder() {
    CategoryMapping m = CategoryMapping.byName(List.of("__background__", "disc", "ring"), dataset);
    assertThat(m.category(1)).isEqualTo(3L);
    assertThat(m.category(2)).isEqualTo(7L);
  }

  @Test
  void aMissingNameOnEitherSideListsBoth() {
    assertThatThrownBy(() -> CategoryMapping.byName(List.of("__background__", "disc", "star"), dataset))
        .hasMessageContaining("not in the dataset: [star]").hasMessageContaining("not in the model: [ring]")
        .hasMessageContaining("Model classes: [disc, star]").hasMessageContaining("--category-map");
  }

  @Test
  void explicitMapByNameOrId() throws Exception {
    Path f = dir.resolve("map.json");
    Files.writeString(f, "{\"star\": \"ring\", \"disc\": 3}");
    CategoryMapping m = CategoryMapping.fromFile(f, List.of("__background__", "disc", "star"), dataset);
    assertThat(m.labelToCategory()).containsEntry(1, 3L).containsEntry(2, 7L);
    Files.writeString(f, "{\"star\": \"moon\"}");
    assertThatThrownBy(() -> CategoryMapping.fromFile(f, List.of("__background__", "disc", "star"), dataset))
        .hasMessageContaining(f + ": 'moon' is not a category of the dataset");
  }

  @Test
  void aBrokenMapNamesTheLineWithoutParserInternals() throws Exception {
    Path f = dir.resolve("broken.json");
    Files.writeString(f, "{\"star\": \"ring\",\n \"disc\": }");
    assertThatThrownBy(() -> CategoryMapping.fromFile(f, List.of("__background__", "disc", "star"), dataset))
        .hasMessageStartingWith(f + ": not a JSON category map: ").hasMessageContaining("(line 2, column")
        .hasMessageNotContaining("Source").hasMessageNotContaining("REDACTED");
  }
}
