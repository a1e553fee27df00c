/**
 * Training benchmarks ({@code lowlight bench train}): seconds per iteration with a stage
 * breakdown, the backbone convolutions' FLOP rate next to the step's, memory and a leak check.
 */
package dev.lowlight.bench.train;
