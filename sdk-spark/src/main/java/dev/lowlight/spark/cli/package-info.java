/** The {@code lowlight-spark} command line (Picocli): {@code synth}, {@code predict}, {@code bench}. */
package dev.lowlight.spark.cli;
