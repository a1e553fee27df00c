package dev.lowlight.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.List;

/** The JSON the jobs write besides the single-machine formats: snake_case keys, indented. */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write " + value + " as JSON", e);
    }
  }

  /** {@code failures.json}: the list, ending with a newline. */
  static byte[] failures(List<ImageFailure> failures) {
    String text = new String(bytes(failures), java.nio.charset.StandardCharsets.UTF_8) + "\n";
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
