package dev.lowlight.heads.roi;

import ai.djl.ndarray.NDArray;
import dev.lowlight.api.nn.DeferredGradient;

/**
 * RoIAlign's result: {@code [R, C, S, S]} pooled features, and, when they were computed on the
 * host from features that need a gradient, the {@link DeferredGradient} that carries the gradient
 * of {@code values} back to those features (the caller runs it after the first backward pass).
 *
 * @param values the pooled features (a leaf requiring gradient when {@code gradient} is not null)
 * @param gradient how the gradient reaches the features, or {@code null} when autograd does it
 *     itself (the engine path) or no gradient is needed
 */
public record PooledFeatures(NDArray values, DeferredGradient gradient) {}
