package dev.lowlight.denoise;

import dev.lowlight.api.conformance.ConformanceKit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every denoiser provider of this module through the SDK's conformance kit (sizes 1x8x8, 2x5x7, 1x37x53). */
class DenoiserConformanceTest {

  @TestFactory
  Stream<DynamicTest> identity() {
    return ConformanceKit.forDenoiser(new IdentityProvider()).channels(8).tests();
  }

  @TestFactory
  Stream<DynamicTest> nonLocalEmbeddedGaussian() {
    return ConformanceKit.forDenoiser(new NonLocalProvider()).channels(8).tests();
  }

  @TestFactory
  Stream<DynamicTest> nonLocalGaussianScaledSubSampled() {
    return ConformanceKit.forDenoiser(new NonLocalProvider()).channels(8)
        .options(new NonLocalOptions("gaussian", true, true, 512, 4096, "random")).tests();
  }

  @TestFactory
  Stream<DynamicTest> nonLocalDotProduct() {
    return ConformanceKit.forDenoiser(new NonLocalProvider()).channels(6)
        .options(new NonLocalOptions("dot-product", false, false, 512, 4096, "random")).tests();
  }

  @TestFactory
  Stream<DynamicTest> weightedNonLocal() {
    return ConformanceKit.forDenoiser(new WeightedNonLocalProvider()).channels(8).tests();
  }

  @TestFactory
  Stream<DynamicTest> weightedNonLocalChunkedAndSubSampled() {
    // 1 MiB budget: the 37x53 case runs in chunks of query rows in DJL, whole in ONNX Runtime.
    return ConformanceKit.forDenoiser(new WeightedNonLocalProvider()).channels(8)
        .options(new NonLocalOptions("embedded-gaussian", false, true, 1, 4096, "random")).tests();
  }

  @TestFactory
  Stream<DynamicTest> weightedNonLocalChunked() {
    return ConformanceKit.forDenoiser(new WeightedNonLocalProvider()).channels(4)
        .options(new NonLocalOptions("embedded-gaussian", false, false, 1, 4096, "random")).sizes(new long[] {1, 37, 53}).tests();
  }

  @TestFactory
  Stream<DynamicTest> weightedNonLocalAuthorsInit() {
    return ConformanceKit.forDenoiser(new WeightedNonLocalProvider()).channels(8)
        .options(NonLocalOptions.DEFAULTS.withProjectionInit(ProjectionInit.ZERO)).tests();
  }

  @TestFactory
  Stream<DynamicTest> affineOnly() {
    return ConformanceKit.forDenoiser(new AffineOnlyProvider()).channels(8).tests();
  }

  @TestFactory
  Stream<DynamicTest> meanFilter() {
    return ConformanceKit.forDenoiser(new MeanFilterProvider()).channels(8).tests();
  }

  @TestFactory
  Stream<DynamicTest> medianFilter() {
    return ConformanceKit.forDenoiser(new MedianFilterProvider()).channels(8).tests();
  }

  @TestFactory
  Stream<DynamicTest> medianFilter5x5() {
    return ConformanceKit.forDenoiser(new MedianFilterProvider()).channels(4).options(new FilterOptions(5)).tests();
  }
}
