/**
 * Model files: the SDK's model directory ({@link dev.lowlight.model.io.ModelDirectory}: {@code
 * config.yaml} + {@code model.safetensors} + {@code model.json}) and the import of torchvision
 * checkpoints into it ({@link dev.lowlight.model.io.TorchvisionImport}), with the key spellings of
 * both torchvision generations ({@link dev.lowlight.model.io.TorchvisionKeys}).
 */
package dev.lowlight.model.io;
