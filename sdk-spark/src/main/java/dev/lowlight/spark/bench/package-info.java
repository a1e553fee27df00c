/** Benchmarks of the Spark jobs against the single-process commands ({@code lowlight-spark bench}). */
package dev.lowlight.spark.bench;
