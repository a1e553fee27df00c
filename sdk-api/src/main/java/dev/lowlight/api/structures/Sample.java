package dev.lowlight.api.structures;

/**
 * One training or evaluation sample: an image with its ground truth.
 *
 * @param imageId the COCO image id
 * @param fileName the image's file name, for messages
 * @param image the pixels
 * @param targets ground-truth instances (scores 1)
 */
public record Sample(long imageId, String fileName, RgbImage image, Instances targets) {}
