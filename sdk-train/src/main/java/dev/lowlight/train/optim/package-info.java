/**
 * Optimizers, learning-rate schedules and gradient clipping written against DJL arrays, with
 * PyTorch's update rules, so that their whole state is plain named arrays a checkpoint saves and
 * restores bit for bit.
 */
package dev.lowlight.train.optim;
