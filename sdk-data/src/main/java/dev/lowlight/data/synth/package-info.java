/**
 * Low-light synthesis: the {@link dev.lowlight.api.spi.SynthesizerProvider} plugins {@code maet}
 * (default), {@code maet-release}, {@code lis}, {@code lis-isp} and {@code gamma-gaussian}, which
 * turn a clean sRGB image into a dark, noisy one with per-image parameters drawn from a seeded
 * generator ({@link dev.lowlight.data.synth.SeededRandom}) and recorded in the result. Same image
 * and seed give the same bytes on every machine and thread count.
 *
 * <pre>{@code
 * LowLightSynthesizer s = new MaetSynthesizerProvider().create(MaetOptions.paper());
 * LowLightSynthesizer.Result dark = s.synthesize(clean, 42L);
 * }</pre>
 */
package dev.lowlight.data.synth;
