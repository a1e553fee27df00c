package dev.lowlight.api.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.onnx.Dim;
import dev.lowlight.api.onnx.OnnxGraphBuilder;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxType;
import dev.lowlight.api.onnx.OutputDifference;
import dev.lowlight.api.registry.PluginDescriptor;
import dev.lowlight.api.registry.PluginRegistry;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.OptionInfo;
import dev.lowlight.api.spi.Provider;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.testing.ScalarOperandAudit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The plugin conformance kit: point it at a provider or a block and it returns JUnit 5 dynamic
 * tests that check
 *
 * <ol>
 *   <li>DJL forward in inference mode equals the block's ONNX lowering run through ONNX Runtime,
 *       within 1e-4 relative, on several input shapes, with one graph whose sizes are dynamic;
 *   <li>the declared output shapes ({@code getOutputShapes}) equal the actual ones;
 *   <li>parameters survive {@code saveParameters}/{@code loadParameters};
 *   <li>the block's jar calls no {@code NDArray} arithmetic with a Java-number operand that
 *       autograd reads after DJL frees it;
 *   <li>for providers: name, version, description and documented options are present, the SPI
 *       version runs on this SDK, and the provider is listed in its own jar's {@code
 *       META-INF/services} file.
 * </ol>
 *
 * <p><b>What the values are.</b> A wrong lowering must not pass because the values happen to hide
 * it (a missing {@code Relu} is invisible while everything before it is positive), so every
 * parameter is drawn with both signs at a realistic scale: weights uniform in ±2/sqrt(fan-in),
 * one-dimensional parameters (biases, gains, gates such as {@code w}) uniform in [-1, 1], running
 * variances (and the parameters named with {@link #positive}) in [0.5, 1.5]; parameters are drawn
 * afresh for each case. The input cases take turns between three kinds of statistics: rectified
 * features (non-negative, positive mean, as after a ReLU), channels with their own mean in [-2, 2]
 * and standard deviation in [0.2, 3], and zero-mean values with a few large spikes.
 *
 * <p><b>Failures name their check.</b> Every message starts with the check's name ({@code
 * se-smooth [reduction=1]: ONNX Runtime equals DJL on [(2, 16, 5, 7)]: ...}), so a report that
 * shows only {@code conformance()[2]} still says what failed.
 *
 * <p>Usage from a plugin's tests, with {@code sdk-api:test-jar}, a DJL engine and ONNX Runtime on the
 * test classpath:
 *
 * <pre>{@code
 * class MyDenoiserConformanceTest {
 *   @TestFactory
 *   Stream<DynamicTest> conformance() {
 *     return ConformanceKit.forDenoiser(new MyDenoiserProvider()).channels(16).tests();
 *   }
 * }
 * }</pre>
 */
public final class ConformanceKit {

  /** Relative tolerance of the DJL versus ONNX Runtime comparison. */
  public static final double RTOL = 1e-4;

  private final String label;
  private final Supplier<Block> factory;
  private final Provider<?> provider;
  private final List<Shape[]> inputShapes = new ArrayList<>();
  private final Set<String> positive = new LinkedHashSet<>(List.of("running_var"));
  private long seed = 42;
  private double rtol = RTOL;

  private ConformanceKit(String label, Supplier<Block> factory, Provider<?> provider) {
    this.label = label;
    this.factory = factory;
    this.provider = provider;
  }

  /**
   * Checks a denoiser provider on {@code N×C×H×W} inputs of several sizes, including odd ones,
   * with its default options and with each declared option at each end of its range; see {@link
   * DenoiserKit}.
   */
  public static <O extends Record> DenoiserKit<O> forDenoiser(DenoiserProvider<O> provider) {
    return new DenoiserKit<>(provider);
  }

  /**
   * Checks any block that implements {@link OnnxLowerable}, built fresh by {@code factory} for
   * each check, on the given input shape sets (one {@code Shape[]} per case, one shape per input).
   * {@code provider} may be null when the block comes from no provider.
   */
  public static ConformanceKit forBlock(String label, Supplier<? extends Block> factory, Provider<?> provider) {
    return new ConformanceKit(label, factory::get, provider);
  }

  /** Adds a case: one shape per input. */
  public ConformanceKit inputs(Shape... shapes) {
    inputShapes.add(shapes);
    return this;
  }

  /** The seed of parameter and input values. */
  public ConformanceKit seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Overrides the relative tolerance (documented reasons only, e.g. long reductions). */
  public ConformanceKit tolerance(double rtol) {
    this.rtol = rtol;
    return this;
  }

  /**
   * Parameters that must stay positive (a variance, a temperature under a square root or a
   * logarithm), by the end of their dotted name ({@code "temperature"} matches {@code
   * gate.temperature}); they are drawn in [0.5, 1.5] instead of [-1, 1].
   */
  public ConformanceKit positive(String... nameSuffixes) {
    positive.addAll(List.of(nameSuffixes));
    return this;
  }

  /** The checks, as dynamic tests named after the block and the case. */
  public Stream<DynamicTest> tests() {
    return checks(true).stream();
  }

  /** Runs every check now, throwing the first failure; for use outside JUnit's dynamic tests. */
  public void run() throws Throwable {
    for (DynamicTest t : tests().toList()) {
      t.getExecutable().execute();
    }
  }

  /** The checks; {@code everything} false leaves out those that do not depend on the block's values. */
  List<DynamicTest> checks(boolean everything) {
    if (inputShapes.isEmpty()) {
      throw new IllegalStateException("give at least one input case with inputs(...)");
    }
    List<DynamicTest> tests = new ArrayList<>();
    if (provider != null && everything) {
      tests.add(named(label + ": metadata and service file", this::checkMetadata));
    }
    for (int i = 0; i < inputShapes.size(); i++) {
      Shape[] shapes = inputShapes.get(i);
      int caseIndex = i;
      tests.add(named(label + ": ONNX Runtime equals DJL on " + Arrays.toString(shapes) + " (" + InputKind.of(i)
          .description + ")", () -> checkOnnxParity(shapes, caseIndex)));
    }
    tests.add(named(label + ": declared output shapes", this::checkDeclaredShapes));
    if (everything) {
      tests.add(named(label + ": parameters survive save and load", this::checkSaveLoad));
      tests.add(named(label + ": no scalar operand that autograd would read after it is freed",
          this::checkScalarOperands));
    }
    return tests;
  }

  /**
   * A dynamic test whose failure message starts with its name: surefire's report names dynamic
   * tests by their factory and position ({@code conformance()[2]}), not by their display name.
   */
  static DynamicTest named(String name, Executable check) {
    return DynamicTest.dynamicTest(name, () -> {
      try {
        check.execute();
      } catch (TestAbortedException e) {
        throw e;
      } catch (AssertionError e) {
        String message = String.valueOf(e.getMessage()).strip();
        throw new AssertionFailedError(message.startsWith(name) ? message : name + ": " + message, e);
      } catch (Throwable e) {
        throw new AssertionFailedError(name + ": " + e, e);
      }
    });
  }

  /** The block's own jar or class directory holds no call that gives wrong gradients (see {@link ScalarOperandAudit}). */
  private void checkScalarOperands() throws IOException {
    Class<?> type = provider != null ? provider.getClass() : factory.get().getClass();
    assertThat(ScalarOperandAudit.scan(ScalarOperandAudit.codeSource(type)))
        .as("calls of NDArray.mul/div/pow/maximum/minimum(Number) in %s: autograd reads the scalar after DJL frees it;"
            + " use dev.lowlight.api.nn.Scalars", ScalarOperandAudit.codeSource(type)).isEmpty();
  }

  private void checkMetadata() throws IOException {
    assertThat(provider.name()).as("name").matches("[a-z0-9][a-z0-9-]*");
    assertThat(provider.version()).as("version of %s", provider.name()).isNotBlank();
    assertThat(provider.description()).as("description of %s", provider.name()).isNotBlank();
    assertThat(provider.kind()).as("kind of %s", provider.name()).isNotNull();
    SpiVersion spi = provider.spiVersion();
    assertThat(spi).as("SPI version of %s", provider.name()).isNotNull();
    assertThat(spi.runsOn(SpiVersion.RUNTIME)).as("%s built for SPI %s runs on SPI %s", provider.name(), spi,
        SpiVersion.RUNTIME).isTrue();
    assertThat(provider.optionsType()).as("options type of %s", provider.name()).isNotNull();
    assertThat(provider.defaultOptions()).as("default options of %s", provider.name()).isNotNull();
    for (OptionInfo o : provider.options()) {
      assertThat(o.description()).as("@Option documentation of %s option '%s'", provider.name(), o.key())
          .isNotBlank();
    }
    ServiceFileCheck.assertListed(provider);
    PluginDescriptor found = PluginRegistry.load().find(provider.kind(), provider.name());
    assertThat(found.provider().getClass()).as("the %s plugin '%s' the registry finds", provider.kind().label(),
        provider.name()).isEqualTo(provider.getClass());
  }

  private void checkOnnxParity(Shape[] shapes, int caseIndex) throws OrtException {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Block block = newInitialisedBlock(manager, shapes, caseIndex);
      if (!(block instanceof OnnxLowerable lowerable)) {
        fail(label + " does not implement OnnxLowerable");
        return;
      }
      NDList inputs = randomInputs(manager, shapes, caseIndex);
      NDList expected = block.forward(new ParameterStore(manager, false), inputs, false);

      OnnxGraphBuilder g = new OnnxGraphBuilder("conformance");
      List<String> in = new ArrayList<>();
      for (int i = 0; i < shapes.length; i++) {
        in.add(g.input("input" + i, OnnxType.FLOAT, dynamicDims(i, shapes[i])));
      }
      List<String> out = lowerable.lower(g.root(), in);
      assertThat(out).as("%s lowering outputs", label).hasSize(expected.size());
      for (int i = 0; i < out.size(); i++) {
        g.output(out.get(i), "output" + i, OnnxType.FLOAT);
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        try (OrtSession session = env.createSession(g.toBytes(), opts)) {
          Map<String, OnnxTensor> feeds = new HashMap<>();
          try {
            for (int i = 0; i < shapes.length; i++) {
              feeds.put("input" + i, OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs.get(i).toFloatArray()),
                  shapes[i].getShape()));
            }
            try (OrtSession.Result result = session.run(feeds)) {
              for (int i = 0; i < expected.size(); i++) {
                compare(i, expected.get(i), result.get(i));
              }
            }
          } finally {
            feeds.values().forEach(OnnxTensor::close);
          }
        }
      }
    }
  }

  private void compare(int index, NDArray expected, OnnxValue actualValue) throws OrtException {
    OnnxTensor actual = (OnnxTensor) actualValue;
    long[] shape = actual.getInfo().getShape();
    assertThat(shape).as("%s output %d shape (ONNX Runtime vs DJL)", label, index)
        .isEqualTo(expected.getShape().getShape());
    float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
    FloatBuffer fb = actual.getFloatBuffer();
    float[] a = new float[fb.remaining()];
    fb.get(a);
    for (float v : e) {
      if (Float.isNaN(v)) {
        fail(label + " output " + index + ": DJL forward produced NaN with parameters drawn in [-1, 1]; if a"
            + " parameter must stay positive, declare it with positive(\"name\")");
      }
    }
    OutputDifference d = OutputDifference.of(e, a, rtol);
    if (d != null) {
      fail(label + " output " + index + ": ONNX Runtime differs from DJL: " + d.describe("onnx", "djl")
          + "; the lowering does not compute what the forward does");
    }
  }

  private void checkDeclaredShapes() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      for (int c = 0; c < inputShapes.size(); c++) {
        Shape[] shapes = inputShapes.get(c);
        Block block = newInitialisedBlock(manager, shapes, c);
        NDList out = block.forward(new ParameterStore(manager, false), randomInputs(manager, shapes, c), false);
        Shape[] declared = block.getOutputShapes(shapes);
        assertThat(declared).as("%s declared output count for %s", label, Arrays.toString(shapes)).hasSize(out.size());
        for (int i = 0; i < out.size(); i++) {
          assertThat(declared[i]).as("%s declared shape of output %d for inputs %s", label, i, Arrays.toString(shapes))
              .isEqualTo(out.get(i).getShape());
        }
      }
    }
  }

  private void checkSaveLoad() throws Exception {
    Shape[] shapes = inputShapes.get(0);
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Block original = newInitialisedBlock(manager, shapes, 0);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        original.saveParameters(out);
      }
      Block restored = factory.get();
      restored.initialize(manager, DataType.FLOAT32, shapes);
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        restored.loadParameters(manager, in);
      }
      Map<String, Parameter> a = TorchNames.parameters(original);
      Map<String, Parameter> b = TorchNames.parameters(restored);
      assertThat(b.keySet()).as("%s parameter names after load", label).containsExactlyElementsOf(a.keySet());
      for (String name : a.keySet()) {
        // Arrays.equals, not AssertJ's containsExactly: the latter is quadratic on large weights.
        assertThat(Arrays.equals(b.get(name).getArray().toFloatArray(), a.get(name).getArray().toFloatArray()))
            .as("%s parameter %s equal after load", label, name).isTrue();
      }
      NDList inputs = randomInputs(manager, shapes, 0);
      NDList x = original.forward(new ParameterStore(manager, false), inputs, false);
      NDList y = restored.forward(new ParameterStore(manager, false), inputs, false);
      for (int i = 0; i < x.size(); i++) {
        assertThat(Arrays.equals(y.get(i).toType(DataType.FLOAT32, false).toFloatArray(),
            x.get(i).toType(DataType.FLOAT32, false).toFloatArray())).as("%s output %d equal after load", label, i).isTrue();
      }
    }
  }

  private Block newInitialisedBlock(NDManager manager, Shape[] shapes, int caseIndex) {
    Block block = factory.get();
    block.initialize(manager, DataType.FLOAT32, shapes);
    randomise(block, caseIndex);
    return block;
  }

  /** Draws every parameter of {@code block} as the class documentation says, for case {@code caseIndex}. */
  void randomise(Block block, int caseIndex) {
    Random random = new Random(seed * 31 + caseIndex);
    for (Map.Entry<String, Parameter> e : TorchNames.parameters(block).entrySet()) {
      NDArray array = e.getValue().getArray();
      long[] dims = array.getShape().getShape();
      int n = (int) array.size();
      float[] values = new float[n];
      if (isPositive(e.getKey(), e.getValue())) {
        for (int i = 0; i < n; i++) {
          values[i] = (float) (0.5 + random.nextDouble());
        }
      } else if (dims.length >= 2) {
        long fanIn = n / Math.max(1, dims[0]);
        double bound = 2.0 / Math.sqrt(Math.max(1, fanIn));
        for (int i = 0; i < n; i++) {
          values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
      } else {
        for (int i = 0; i < n; i++) {
          values[i] = (float) (random.nextDouble() * 2 - 1);
        }
      }
      array.set(FloatBuffer.wrap(values));
    }
  }

  private boolean isPositive(String name, Parameter p) {
    if (p.getType() == Parameter.Type.RUNNING_VAR) {
      return true;
    }
    for (String suffix : positive) {
      if (name.equals(suffix) || name.endsWith("." + suffix)) {
        return true;
      }
    }
    return false;
  }

  /** The statistics of the inputs of one case; the cases take turns. */
  enum InputKind {
    RECTIFIED("rectified features, positive mean"),
    SHIFTED("per-channel means in [-2, 2], spreads in [0.2, 3]"),
    SPIKY("zero mean with large spikes");

    final String description;

    InputKind(String description) {
      this.description = description;
    }

    static InputKind of(int caseIndex) {
      return values()[caseIndex % values().length];
    }
  }

  /** Inputs of case {@code caseIndex}: see {@link InputKind}. */
  NDList randomInputs(NDManager manager, Shape[] shapes, int caseIndex) {
    Random random = new Random(seed * 31 + caseIndex + 1_000_003);
    InputKind kind = InputKind.of(caseIndex);
    NDList list = new NDList();
    for (Shape s : shapes) {
      float[] v = new float[(int) s.size()];
      // the channel axis of N×C×... inputs gets its own statistics; other ranks share one
      int channels = s.dimension() >= 2 ? (int) s.get(1) : 1;
      int inner = s.dimension() >= 2 ? (int) (s.size() / s.get(0) / channels) : v.length;
      double[] mean = new double[channels];
      double[] spread = new double[channels];
      for (int c = 0; c < channels; c++) {
        mean[c] = kind == InputKind.SHIFTED ? random.nextDouble() * 4 - 2 : kind == InputKind.RECTIFIED ? 0.5 : 0;
        spread[c] = kind == InputKind.SHIFTED ? 0.2 + random.nextDouble() * 2.8 : 1;
      }
      for (int i = 0; i < v.length; i++) {
        int c = channels == 1 ? 0 : (i / inner) % channels;
        double x = mean[c] + spread[c] * random.nextGaussian();
        if (kind == InputKind.RECTIFIED) {
          x = Math.max(0, x);
        } else if (kind == InputKind.SPIKY && random.nextDouble() < 0.02) {
          x += (random.nextBoolean() ? 8 : -8);
        }
        v[i] = (float) x;
      }
      list.add(manager.create(v, s));
    }
    return list;
  }

  private static Dim[] dynamicDims(int input, Shape shape) {
    Dim[] dims = new Dim[shape.dimension()];
    for (int d = 0; d < dims.length; d++) {
      dims[d] = shape.dimension() == 4 && d == 1 ? Dim.of(shape.get(d)) : Dim.dynamic("in" + input + "_d" + d);
    }
    return dims;
  }
}
