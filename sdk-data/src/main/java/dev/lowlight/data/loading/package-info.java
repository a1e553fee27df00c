/**
 * Data loading for training: COCO images decoded, optionally darkened on the fly, resized by
 * torchvision's rule, flipped, normalised and batched with padding, with background prefetch.
 * Engine-free: a {@link dev.lowlight.data.loading.Batch} is plain arrays, turned into tensors by the
 * trainer.
 */
package dev.lowlight.data.loading;
