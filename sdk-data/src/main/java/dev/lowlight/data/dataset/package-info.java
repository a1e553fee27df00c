/**
 * Whole datasets on disk: the procedural scene dataset written as COCO, and the low-light twin of
 * a COCO dataset (what {@code lowlight synth} makes).
 */
package dev.lowlight.data.dataset;
