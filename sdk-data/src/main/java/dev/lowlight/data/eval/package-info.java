/**
 * COCO evaluation: pycocotools' {@code COCOeval} for boxes and masks, with the same numbers.
 *
 * <p>{@link dev.lowlight.data.eval.CocoEvaluator} is the entry point; {@link
 * dev.lowlight.data.eval.EvalResult} carries the 12 summary statistics, per-category AP and the
 * familiar text summary; {@link dev.lowlight.data.eval.EvalJson} writes them as JSON.
 */
package dev.lowlight.data.eval;
