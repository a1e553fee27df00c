package dev.lowlight.heads;

import ai.djl.ndarray.types.Shape;
import dev.lowlight.api.conformance.ConformanceKit;
import dev.lowlight.api.spi.HeadContext;
import dev.lowlight.api.structures.ShapeSpec;
import dev.lowlight.heads.box.TwoMlpBoxHeadProvider;
import dev.lowlight.heads.mask.MaskRcnnConvHeadProvider;
import dev.lowlight.heads.rpn.RpnHeadProvider;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every head provider through the SDK's plugin conformance kit, with small shapes. */
class HeadsConformanceTest {

  private static final HeadContext CONTEXT = new HeadContext(
      Map.of("p2", new ShapeSpec(6, 4), "p3", new ShapeSpec(6, 8), "p4", new ShapeSpec(6, 16)), 4);

  @TestFactory
  Stream<DynamicTest> rpnHead() {
    RpnHeadProvider p = new RpnHeadProvider();
    return ConformanceKit.forBlock("rpn", () -> p.create(p.defaultOptions(), CONTEXT), p)
        .inputs(new Shape(1, 6, 8, 10), new Shape(1, 6, 4, 5), new Shape(1, 6, 2, 3))
        .inputs(new Shape(2, 6, 7, 9), new Shape(2, 6, 4, 5)).tests();
  }

  @TestFactory
  Stream<DynamicTest> rpnHeadTwoConvs() {
    RpnHeadProvider p = new RpnHeadProvider();
    return ConformanceKit.forBlock("rpn-depth2", () -> p.create(new RpnHeadProvider.Options(2, 2), CONTEXT), null)
        .inputs(new Shape(1, 6, 5, 6), new Shape(1, 6, 3, 3)).tests();
  }

  @TestFactory
  Stream<DynamicTest> boxHead() {
    TwoMlpBoxHeadProvider p = new TwoMlpBoxHeadProvider();
    return ConformanceKit.forBlock("two-mlp", () -> p.create(new TwoMlpBoxHeadProvider.Options(16, 7), CONTEXT), p)
        .inputs(new Shape(5, 6, 7, 7)).inputs(new Shape(1, 6, 7, 7)).tests();
  }

  @TestFactory
  Stream<DynamicTest> maskHead() {
    MaskRcnnConvHeadProvider p = new MaskRcnnConvHeadProvider();
    return ConformanceKit.forBlock("mask-rcnn-conv",
            () -> p.create(new MaskRcnnConvHeadProvider.Options(List.of(8, 8, 8, 8), 1, 5), CONTEXT), p)
        .inputs(new Shape(3, 6, 14, 14)).inputs(new Shape(1, 6, 7, 7)).tests();
  }
}
