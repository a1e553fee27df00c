/**
 * The COCO dataset and results formats and the COCO mask API.
 *
 * <p>{@link dev.lowlight.data.coco.CocoReader} reads instance annotation files and results files
 * with a streaming parser, {@link dev.lowlight.data.coco.CocoWriter} writes them back in a form
 * pycocotools reads, and {@link dev.lowlight.data.coco.MaskApi} reproduces pycocotools'
 * {@code _mask} module (polygon rasterisation, run-length encoding, compressed count strings, area,
 * boxes, IoU and merge) bit for bit.
 */
package dev.lowlight.data.coco;
