package dev.lowlight.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lowlight.api.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's {@code torch.optim.AdamW} (decoupled weight decay, no AMSGrad): {@code p *= 1 −
 * lr·wd}; {@code m = β1·m + (1−β1)·g}; {@code v = β2·v + (1−β2)·g²}; {@code p −= lr/(1−β1ᵗ) · m /
 * (√v/√(1−β2ᵗ) + ε)}, with {@code t} the parameter's own step count.
 *
 * <pre>{@code
 * Optimizer adamw = new AdamW(manager, 0.9, 0.999, 1e-8, 0.05);
 * }</pre>
 */
public final class AdamW implements Optimizer {

  private static final String EXP_AVG = "exp_avg";
  private static final String EXP_AVG_SQ = "exp_avg_sq";
  private static final String STEP = "step";

  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final StateArrays state;
  private final Map<String, Long> steps = new LinkedHashMap<>();

  /**
   * @param manager parent of the state's manager
   * @param beta1 first-moment decay
   * @param beta2 second-moment decay
   * @param eps added to the denominator
   * @param weightDecay decoupled decay factor
   */
  public AdamW(NDManager manager, double beta1, double beta2, double eps, double weightDecay) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException("AdamW needs betas in [0, 1), eps > 0 and weight decay >= 0, got " + beta1
          + ", " + beta2 + ", " + eps + ", " + weightDecay);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.state = new StateArrays(manager);
  }

  @Override
  public void step(List<TrainableParameter> parameters, double lr) {
    Gradients.forEach(parameters, state.manager(), (tp, p, g, scope) -> {
      long t = steps.merge(tp.name(), 1L, Long::sum);
      if (weightDecay > 0) {
        p.muli((float) (1 - lr * weightDecay));
      }
      NDArray m = state.get(EXP_AVG, tp.name());
      NDArray v = state.get(EXP_AVG_SQ, tp.name());
      if (m == null) {
        m = state.put(EXP_AVG, tp.name(), g.zerosLike());
        v = state.put(EXP_AVG_SQ, tp.name(), g.zerosLike());
      }
      // results of operations that start from the state (v.sqrt(), m.div(...)) belong to this step
      scope.tempAttachAll(m, v);
      m.muli((float) beta1).addi(Scalars.mul(g, (float) (1 - beta1)));
      v.muli((float) beta2).addi(g.mul(g).muli((float) (1 - beta2)));
      double bc1 = 1 - Math.pow(beta1, t);
      double bc2 = 1 - Math.pow(beta2, t);
      NDArray denom = v.sqrt().divi((float) Math.sqrt(bc2)).addi((float) eps);
      p.subi(m.div(denom).muli((float) (lr / bc1)));
      return true;
    });
  }

  @Override
  public Map<String, float[]> state() {
    Map<String, float[]> out = state.copy();
    steps.forEach((k, v) -> out.put(STEP + "." + k, new float[] {v}));
    return out;
  }

  @Override
  public Map<String, long[]> stateShapes() {
    Map<String, long[]> out = state.shapes();
    steps.forEach((k, v) -> out.put(STEP + "." + k, new long[] {1}));
    return out;
  }

  @Override
  public void loadState(Map<String, float[]> values, List<TrainableParameter> parameters) {
    state.load(values, List.of(EXP_AVG, EXP_AVG_SQ), parameters);
    steps.clear();
    values.forEach((k, v) -> {
      if (k.startsWith(STEP + ".")) {
        steps.put(k.substring(STEP.length() + 1), (long) v[0]);
      }
    });
  }

  @Override
  public String name() {
    return "adamw";
  }

  @Override
  public void close() {
    state.close();
  }
}
