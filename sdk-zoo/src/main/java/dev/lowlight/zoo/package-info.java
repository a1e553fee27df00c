/**
 * The model zoo: pretrained models shipped inside this artifact, the Java way (a Maven dependency,
 * as DJL's model-zoo jars are) but with the weights in the jar, so nothing is downloaded.
 *
 * <pre>{@code
 * ZooModel scenes = ModelZoo.get("scenes-r18");
 * Path dir = scenes.directory();                 // a model directory, extracted and verified once
 * MaskRcnn model = ModelDirectory.load(dir, manager);
 * }</pre>
 *
 * <p>Each model's {@link dev.lowlight.zoo.Manifest} records the commands that produced it (so
 * {@code lowlight train --reproduce} can repeat the run), the seed, the machine it ran on, the
 * SHA-256 of the shipped weights and its validation AP on clean and dark images.
 */
package dev.lowlight.zoo;
