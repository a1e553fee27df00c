package dev.lowlight.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lowlight.api.nn.Scalars;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's {@code torch.optim.SGD} (no dampening, no Nesterov): {@code g = grad + wd·p}; {@code
 * buf = g} on a parameter's first step, else {@code buf = momentum·buf + g}; {@code p -= lr·buf}.
 * Weight decay applies to every trainable parameter, as in torchvision's detection reference.
 *
 * <pre>{@code
 * Optimizer sgd = new Sgd(manager, 0.9, 1e-4);
 * }</pre>
 */
public final class Sgd implements Optimizer {

  private static final String MOMENTUM = "momentum_buffer";

  private final double momentum;
  private final double weightDecay;
  private final StateArrays state;

  /**
   * @param manager parent of the state's manager (on the parameters' device)
   * @param momentum momentum factor in {@code [0, 1)}
   * @param weightDecay L2 penalty added to the gradient
   */
  public Sgd(NDManager manager, double momentum, double weightDecay) {
    if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException("SGD needs momentum in [0, 1) and weight decay >= 0, got " + momentum
          + " and " + weightDecay);
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.state = new StateArrays(manager);
  }

  @Override
  public void step(List<TrainableParameter> parameters, double lr) {
    Gradients.forEach(parameters, state.manager(), (tp, p, g, scope) -> {
      NDArray d = weightDecay == 0 ? g : g.add(Scalars.mul(p, (float) weightDecay));
      if (momentum > 0) {
        NDArray buf = state.get(MOMENTUM, tp.name());
        if (buf == null) {
          buf = state.put(MOMENTUM, tp.name(), d.duplicate());
        } else {
          buf.muli((float) momentum).addi(d);
        }
        scope.tempAttachAll(buf); // so that buf · lr belongs to this step, not to the state's manager
        d = buf;
      }
      p.subi(Scalars.mul(d, (float) lr));
      return true;
    });
  }

  @Override
  public Map<String, float[]> state() {
    return state.copy();
  }

  @Override
  public Map<String, long[]> stateShapes() {
    return state.shapes();
  }

  @Override
  public void loadState(Map<String, float[]> values, List<TrainableParameter> parameters) {
    state.load(values, List.of(MOMENTUM), parameters);
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public void close() {
    state.close();
  }
}
