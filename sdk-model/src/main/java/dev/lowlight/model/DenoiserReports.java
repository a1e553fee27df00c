package dev.lowlight.model;

import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.spi.DenoisingBlock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the denoisers inside a model report about themselves through {@link
 * DenoisingBlock#inspect()}: gates, blend weights, gains, for {@code lowlight inspect} and the
 * training log, whatever plugin the blocks come from.
 *
 * <pre>{@code
 * DenoiserReports.of(model);    // {backbone.denoise.res3={w=0.12}, backbone.denoise.res4={w=0.31}}
 * DenoiserReports.flat(model);  // {backbone.denoise.res3.w=0.12, backbone.denoise.res4.w=0.31}
 * }</pre>
 */
public final class DenoiserReports {

  private DenoiserReports() {}

  /** Each denoiser's report by its parameter path, in backbone order; a report's keys sorted. */
  public static Map<String, Map<String, Double>> of(MaskRcnn model) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    TorchNames.blocks(model.parameters(), DenoisingBlock.class).forEach((path, block) -> {
      Map<String, Double> reported = block.inspect();
      out.put(path, reported == null ? Map.of() : new TreeMap<>(reported));
    });
    return out;
  }

  /** The same as one map from {@code path.key} to value. */
  public static Map<String, Double> flat(MaskRcnn model) {
    Map<String, Double> out = new LinkedHashMap<>();
    of(model).forEach((path, report) -> report.forEach((k, v) -> out.put(path + "." + k, v)));
    return out;
  }
}
