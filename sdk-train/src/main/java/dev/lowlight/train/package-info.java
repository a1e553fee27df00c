/**
 * Training of the Mask R-CNN of {@code sdk-model}: the training forward with torchvision's losses
 * ({@link dev.lowlight.model.MaskRcnn#losses}), freeze policies ({@link
 * dev.lowlight.train.FreezePolicy}), the trainer with validation, checkpoints and a reproducible
 * run directory ({@link dev.lowlight.train.Trainer}), optimizers and schedules ({@code
 * dev.lowlight.train.optim}) and checkpoint files ({@code dev.lowlight.train.checkpoint}).
 *
 * <pre>{@code
 * TrainingReport r = Trainer.builder().setModel(model).setTrainData(batches).setRunDirectory(dir)
 *     .optValidation(valGt, valImages, 100).optSeed(1).build().run();
 * }</pre>
 */
package dev.lowlight.train;
