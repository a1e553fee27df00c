package dev.lowlight.spark;

import java.io.Serializable;

/**
 * An image a job could not process; the job goes on with the others and lists these in {@code
 * failures.json} ({@code [{"image_id", "file_name", "error"}]}).
 *
 * @param imageId the image's id
 * @param fileName its file name
 * @param error what went wrong, naming the file
 */
public record ImageFailure(long imageId, String fileName, String error) implements Serializable {}
