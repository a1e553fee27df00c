package dev.lowlight.train.optim;

import ai.djl.nn.Parameter;

/**
 * A parameter the optimizer updates, under its torchvision name (the key of its optimizer state).
 *
 * @param name dotted name, e.g. {@code backbone.body.layer4.0.conv1.weight}
 * @param parameter the DJL parameter, initialised and requiring a gradient
 */
public record TrainableParameter(String name, Parameter parameter) {}
