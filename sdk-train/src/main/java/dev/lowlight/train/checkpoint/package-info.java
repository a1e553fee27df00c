/**
 * Checkpoints written atomically (temporary directory, fsync, rename): weights and optimizer
 * state as safetensors, the trainer's position as JSON; the last N and the best are kept.
 */
package dev.lowlight.train.checkpoint;
