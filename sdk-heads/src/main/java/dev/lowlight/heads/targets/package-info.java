/**
 * Training-target assignment with torchvision's semantics: the IoU {@link
 * dev.lowlight.heads.targets.Matcher}, the {@link
 * dev.lowlight.heads.targets.BalancedPositiveNegativeSampler}, and the {@link
 * dev.lowlight.heads.targets.Sampling} strategy (seeded random, or given indices for parity tests)
 * that the {@link dev.lowlight.heads.loss losses} take.
 */
package dev.lowlight.heads.targets;
