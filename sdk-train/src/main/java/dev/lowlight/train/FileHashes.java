package dev.lowlight.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The dataset hashes a run directory records in {@code run.json} ({@code dataset_sha256}), so a
 * caller can check that a run is being repeated on the same data.
 */
public final class FileHashes {

  private FileHashes() {}

  /** SHA-256 (hex) of a file, or of every regular file under a directory (sorted, paths included). */
  public static String sha256(Path fileOrDirectory) throws IOException {
    return RunBundle.sha256(fileOrDirectory);
  }
}
