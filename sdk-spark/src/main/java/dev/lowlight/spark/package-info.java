/**
 * Scale-out on Apache Spark: {@link dev.lowlight.spark.SparkTwin} makes the low-light twin of a
 * dataset and {@link dev.lowlight.spark.SparkPredict} runs an exported model over a directory of
 * images, each writing what its single-machine command writes ({@code lowlight synth}, {@code
 * lowlight predict}) through Spark's commit protocol ({@link dev.lowlight.spark.CommittedFiles}).
 * Spark itself is a {@code provided} dependency: a cluster brings its own.
 */
package dev.lowlight.spark;
