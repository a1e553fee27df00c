/** What to do with detections: COCO results files and overlay PNGs. */
package dev.lowlight.runtime.output;
