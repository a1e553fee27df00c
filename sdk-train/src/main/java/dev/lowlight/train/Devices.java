package dev.lowlight.train;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Parses {@code --device}: {@code auto} (the first GPU when the engine sees one, else the CPU),
 * {@code cpu}, {@code gpu} (GPU 0) or {@code gpu:N}; for data-parallel training ({@link
 * #parseAll}) also {@code gpu:0,1,...} or {@code gpu:all}.
 *
 * <pre>{@code
 * Device d = Devices.parse("gpu:1");
 * }</pre>
 */
public final class Devices {

  private Devices() {}

  /** The device {@code spec} names; a GPU that does not exist is an error naming the count. */
  public static Device parse(String spec) {
    String s = spec == null ? "auto" : spec.trim().toLowerCase(java.util.Locale.ROOT);
    int gpus = Engine.getInstance().getGpuCount();
    switch (s) {
      case "auto":
        return gpus > 0 ? Device.gpu(0) : Device.cpu();
      case "cpu":
        return Device.cpu();
      case "gpu":
        return gpu(0, gpus, spec);
      default:
        if (s.startsWith("gpu:")) {
          int n;
          try {
            n = Integer.parseInt(s.substring(4));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device '" + spec + "': expected gpu:N with N a number");
          }
          return gpu(n, gpus, spec);
        }
        throw new IllegalArgumentException("unknown device '" + spec + "'; valid: auto, cpu, gpu, gpu:N");
    }
  }

  /**
   * The devices {@code spec} names for training: one device as {@link #parse} reads it, a list
   * {@code gpu:0,1,...} (each once), or {@code gpu:all} (every GPU the engine sees).
   */
  public static java.util.List<Device> parseAll(String spec) {
    String s = spec == null ? "auto" : spec.trim().toLowerCase(java.util.Locale.ROOT);
    int gpus = Engine.getInstance().getGpuCount();
    if (s.equals("gpu:all")) {
      if (gpus == 0) {
        throw new IllegalArgumentException("device '" + spec + "': no GPU is visible to the "
            + Engine.getInstance().getEngineName() + " engine");
      }
      java.util.List<Device> all = new java.util.ArrayList<>();
      for (int i = 0; i < gpus; i++) {
        all.add(Device.gpu(i));
      }
      return all;
    }
    if (!s.startsWith("gpu:") || !s.contains(",")) {
      return java.util.List.of(parse(spec));
    }
    java.util.List<Device> out = new java.util.ArrayList<>();
    for (String part : s.substring(4).split(",")) {
      Device d = parse("gpu:" + part.trim());
      if (out.contains(d)) {
        throw new IllegalArgumentException("device '" + spec + "' names " + d + " twice");
      }
      out.add(d);
    }
    return out;
  }

  /**
   * Checks that {@code devices} can share a batch of {@code imsPerBatch} images equally, as
   * data-parallel training needs.
   *
   * @throws IllegalArgumentException naming {@code solver.ims_per_batch} and the device count
   */
  public static void checkBatchShare(int imsPerBatch, java.util.List<Device> devices) {
    if (devices.size() > 1 && imsPerBatch % devices.size() != 0) {
      throw new IllegalArgumentException("solver.ims_per_batch is " + imsPerBatch + ", which " + devices.size()
          + " devices " + devices + " cannot share equally; make it a multiple of " + devices.size());
    }
  }

  private static Device gpu(int n, int gpus, String spec) {
    if (n < 0 || n >= gpus) {
      throw new IllegalArgumentException("device '" + spec + "': " + (gpus == 0 ? "no GPU is visible to the "
          + Engine.getInstance().getEngineName() + " engine" : "only " + gpus + " GPU(s), numbered 0.." + (gpus - 1)));
    }
    return Device.gpu(n);
  }
}
