/**
 * Weight files without Python: PyTorch {@code .pth} checkpoints (the zip format of torch 1.6+
 * and the legacy format of earlier versions, in which the 2019 torchvision COCO checkpoints were
 * saved; both read through a restricted unpickler that accepts only what a state dict needs, like
 * {@code torch.load(weights_only=True)}), safetensors read and write, and loading a
 * {@link dev.lowlight.model.weights.StateDict} into DJL blocks by torchvision's parameter names.
 *
 * <p>Everything here except {@link dev.lowlight.model.weights.StateDictLoader} and
 * {@link dev.lowlight.model.weights.StateDictExporter} is engine-free: a state dict is plain Java
 * arrays, so files can be inspected and converted with no native library loaded.
 *
 * <pre>
 * StateDict sd = TorchCheckpointReader.read(Path.of("maskrcnn_resnet50_fpn_coco.pth"));
 * LoadReport report = StateDictLoader.load(backboneBody, sd, "backbone.body.", false);
 * Safetensors.write(StateDictExporter.export(model), Path.of("model.safetensors"));
 * </pre>
 */
package dev.lowlight.model.weights;
