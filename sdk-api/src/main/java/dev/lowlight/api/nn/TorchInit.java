package dev.lowlight.api.nn;

import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;

/**
 * PyTorch's and torchvision's parameter initialisations as DJL initializers, so that a model
 * trained from scratch starts where torchvision's would (an RPN whose logits start near zero, a
 * mask head with He initialisation), not at DJL's Xavier defaults.
 */
public final class TorchInit {

  private TorchInit() {}

  /**
   * PyTorch's default for {@code nn.Linear} and {@code nn.Conv2d} weights and biases
   * ({@code kaiming_uniform_(a=sqrt(5))} for weights, which is {@code U(±1/sqrt(fan_in))}).
   */
  public static Initializer pytorchDefault(long fanIn) {
    return new UniformInitializer((float) (1.0 / Math.sqrt(Math.max(1, fanIn))));
  }

  /** {@code normal_(std=std)}. */
  public static Initializer normal(double std) {
    return new NormalInitializer((float) std);
  }

  /** {@code kaiming_normal_(mode="fan_out", nonlinearity="relu")}: {@code N(0, 2/fan_out)}. */
  public static Initializer kaimingNormalFanOut(long fanOut) {
    return new NormalInitializer((float) Math.sqrt(2.0 / Math.max(1, fanOut)));
  }

  /** {@code kaiming_uniform_(a=a)} with fan-in: bound {@code sqrt(6 / ((1 + a²) fan_in))}. */
  public static Initializer kaimingUniform(long fanIn, double a) {
    return new UniformInitializer((float) Math.sqrt(6.0 / ((1 + a * a) * Math.max(1, fanIn))));
  }

  /** {@code constant_(value)}. */
  public static Initializer constant(float value) {
    return new ConstantInitializer(value);
  }
}
