package dev.lowlight.backbones;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import dev.lowlight.api.conformance.ConformanceKit;
import dev.lowlight.api.spi.BackboneContext;
import dev.lowlight.api.spi.DenoiserInsertion;
import dev.lowlight.api.structures.ShapeSpec;
import dev.lowlight.denoise.NonLocalOptions;
import dev.lowlight.denoise.WeightedNonLocalProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The backbone and neck providers of this module through the SDK's conformance kit. */
class BackboneConformanceTest {

  @TestFactory
  Stream<DynamicTest> resnet18() {
    var p = new ResNetProvider.ResNet18();
    return ConformanceKit.forBlock("resnet18", () -> p.create(p.defaultOptions(), BackboneContext.plain()), p).inputs(new Shape(1, 3, 64, 64)).inputs(new Shape(2, 3, 37, 53)).tests();
  }

  @TestFactory
  Stream<DynamicTest> resnet34TrainableNorm() {
    var p = new ResNetProvider.ResNet34();
    return ConformanceKit.forBlock("resnet34", () -> p.create(new ResNetOptions(5, "batch"), BackboneContext.plain()), p).inputs(new Shape(1, 3, 32, 32)).tests();
  }

  @TestFactory
  Stream<DynamicTest> resnet50() {
    var p = new ResNetProvider.ResNet50();
    return ConformanceKit.forBlock("resnet50", () -> p.create(p.defaultOptions(), BackboneContext.plain()), p).inputs(new Shape(1, 3, 32, 32)).tests();
  }

  @Tag("slow")
  @TestFactory
  Stream<DynamicTest> resnet101() {
    var p = new ResNetProvider.ResNet101();
    return ConformanceKit.forBlock("resnet101", () -> p.create(p.defaultOptions(), BackboneContext.plain()), p).inputs(new Shape(1, 3, 32, 32)).tests();
  }

  /**
   * Checks the insertion points and their ONNX scopes. Dot-product mode: behind a deep body with the
   * kit's random weights the embedded-Gaussian logits reach hundreds, where the softmax turns float
   * rounding into visible differences; that mode is checked on its own in sdk-denoise.
   */
  @TestFactory
  Stream<DynamicTest> resnet18WithWnlbAtRes3To5() {
    var p = new ResNetProvider.ResNet18();
    var d = new WeightedNonLocalProvider();
    var insertion = new DenoiserInsertion(d.name(), List.of("res3", "res4", "res5"),
        c -> d.create(new NonLocalOptions("dot-product", false, false, 1, 4096, "random"), c));
    Supplier<Block> factory = () -> p.create(p.defaultOptions(), new BackboneContext(insertion));
    return ConformanceKit.forBlock("resnet18+wnlb", factory, null).inputs(new Shape(1, 3, 64, 64))
        .inputs(new Shape(1, 3, 37, 53)).tests();
  }

  @TestFactory
  Stream<DynamicTest> fpn() {
    Map<String, ShapeSpec> in = new LinkedHashMap<>();
    in.put("res2", new ShapeSpec(8, 4));
    in.put("res3", new ShapeSpec(16, 8));
    in.put("res4", new ShapeSpec(24, 16));
    in.put("res5", new ShapeSpec(32, 32));
    var p = new FpnProvider();
    return ConformanceKit.forBlock("fpn", () -> p.create(new FpnOptions(16), in), p)
        .inputs(new Shape(1, 8, 16, 24), new Shape(1, 16, 8, 12), new Shape(1, 24, 4, 6), new Shape(1, 32, 2, 3))
        .inputs(new Shape(2, 8, 19, 27), new Shape(2, 16, 10, 14), new Shape(2, 24, 5, 7), new Shape(2, 32, 3, 4))
        .tests();
  }
}
