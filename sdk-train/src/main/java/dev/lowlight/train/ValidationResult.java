package dev.lowlight.train;

import java.util.Map;

/**
 * One validation and the state of the denoisers when it ran.
 *
 * @param iteration iterations completed when it ran
 * @param result bbox and segm metrics
 * @param denoiserWeights the denoisers' scalar weights {@code backbone.denoise.*.w} by name
 * @param denoiserReports what every denoiser reports through {@code DenoisingBlock.inspect}
 */
record ValidationResult(int iteration, Validator.Result result, Map<String, Double> denoiserWeights,
    Map<String, Double> denoiserReports) {}
