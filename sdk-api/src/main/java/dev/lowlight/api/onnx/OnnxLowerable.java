package dev.lowlight.api.onnx;

import java.util.List;

/**
 * A block that writes itself into an ONNX graph.
 *
 * <p>Given the names of the values its inputs are in (in the order of DJL {@code forward}'s
 * {@code NDList}), the block adds nodes and initializers to {@code scope} and returns the names of
 * its outputs, in the order of its {@code forward} outputs. Parameters become initializers named
 * {@code scope.prefix() + "." + parameterName} so that ONNX initializers read like torchvision's
 * {@code state_dict} keys ({@code backbone.body.layer1.0.conv1.weight}).
 *
 * <p>The lowering must compute what DJL's {@code forward(..., training=false)} computes, within
 * 1e-4 relative, for every input size the block accepts; the conformance kit checks it. Use
 * dynamic shapes ({@code Shape}, {@code Gather}) rather than sizes baked in from one input, so that
 * the graph stays valid for other image sizes.
 */
public interface OnnxLowerable {

  /**
   * Emits this block into {@code scope}.
   *
   * @param scope where to add nodes and initializers; its prefix is this block's parameter path
   * @param inputs names of the input values
   * @return names of the output values
   */
  List<String> lower(OnnxScope scope, List<String> inputs);
}
