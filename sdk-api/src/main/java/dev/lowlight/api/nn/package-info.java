/**
 * Layers shared by every plugin, each a DJL block that also lowers itself to ONNX and names its
 * parameters as PyTorch does. They live in the API module so that third-party plugins build on
 * the same lowerable pieces as the SDK's own.
 */
package dev.lowlight.api.nn;
