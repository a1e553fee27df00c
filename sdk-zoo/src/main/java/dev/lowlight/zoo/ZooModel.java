package dev.lowlight.zoo;

import dev.lowlight.api.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One model of the zoo: its manifest and its files as class-path resources under {@code
 * lowlight-zoo/NAME/}. {@link #directory()} turns it into an ordinary model directory.
 *
 * @param manifest what the model is and how it was made
 * @param loader the class loader that holds its resources
 */
public record ZooModel(Manifest manifest, ClassLoader loader) {

  /** The files of a model directory, as {@code ModelDirectory} reads them. */
  static final List<String> FILES = List.of("config.yaml", "model.json", "model.safetensors");

  /** The model's name. */
  public String name() {
    return manifest.name();
  }

  /** Where the files are, as a resource path prefix. */
  String resource(String file) {
    return ModelZoo.ROOT + name() + "/" + file;
  }

  /**
   * The model as a directory that {@code ModelDirectory.load} reads: extracted once into the cache
   * ({@code $LOWLIGHT_CACHE}, or {@code ~/.cache/lowlight}, under {@code zoo/NAME-SHA}) with the
   * weights' SHA-256 checked against the manifest, then reused. Extraction goes through a temporary
   * directory renamed into place, so a killed process never leaves half a model.
   *
   * @throws IllegalStateException when the jar's weights do not match the manifest
   */
  public Path directory() {
    Path target = ModelZoo.cache().resolve("zoo").resolve(name() + "-" + manifest.weights().sha256().substring(0, 16));
    if (Files.isRegularFile(target.resolve("model.safetensors"))) {
      return target;
    }
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempDirectory(target.getParent(), "." + name() + "-");
      try {
        for (String file : FILES) {
          String sha = copy(resource(file), tmp.resolve(file));
          if (file.equals(manifest.weights().file()) && !sha.equals(manifest.weights().sha256())) {
            throw new IllegalStateException("zoo model " + name() + ": " + file + " has SHA-256 " + sha
                + ", its manifest says " + manifest.weights().sha256() + "; the jar is damaged");
          }
        }
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          if (!Files.isRegularFile(target.resolve("model.safetensors"))) {
            throw e;
          }
          // another process extracted it first: theirs is the same bytes
        }
      } finally {
        AtomicFiles.deleteTree(tmp);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract zoo model " + name() + " to " + target + ": " + e.getMessage(), e);
    }
  }

  /** Copies one resource to {@code file}; returns its SHA-256. */
  private String copy(String resource, Path file) throws IOException {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("zoo model " + name() + " misses " + resource + " in its jar");
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (DigestInputStream d = new DigestInputStream(in, sha)) {
        Files.copy(d, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
