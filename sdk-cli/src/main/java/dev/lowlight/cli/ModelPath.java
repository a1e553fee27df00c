package dev.lowlight.cli;

import dev.lowlight.zoo.ModelZoo;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;

/**
 * The value of every option that takes a model: a path as given, or {@code zoo:NAME} for a model
 * of the zoo ({@code lowlight zoo} lists them), which becomes its directory, extracted once into the
 * cache. One converter, so every command that reads a model accepts the zoo the same way.
 */
final class ModelPath implements ITypeConverter<Path> {

  @Override
  public Path convert(String value) {
    try {
      return ModelZoo.resolve(value);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UserError(e.getMessage());
    }
  }
}
