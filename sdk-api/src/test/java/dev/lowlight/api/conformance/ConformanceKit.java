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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The plugin conformance kit: point it at a provider or a block and it returns JUnit 5 dynamic
 * tests that check
 *
 * <ol>
 *   <li>DJL forward in inference mode equals the block's ONNX lowering run through ONNX Runtime,
 *       within 1e-4 relative, on random inputs of several shapes, with one graph whose sizes are
 *       dynamic;
 *   <li>the declared output shapes ({@code getOutputShapes}) equal the actual ones;
 *   <li>parameters survive {@code saveParameters}/{@code loadParameters};
 *   <li>for providers: name, version, description and documented options are present, the SPI
 *       version runs on this SDK, and the provider is registered in {@code META-INF/services}.
 * </ol>
 *
 * <p>Parameters are randomised before comparing (weights uniform in ±2/sqrt(fan-in), 1-D
 * parameters uniform in [0.5, 1.5]), so blocks that start as the identity are still checked.
 * Usage from a plugin's tests, with {@code sdk-api:test-jar}, a DJL engine and ONNX Runtime on the
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
  private List<Shape[]> inputShapes = new ArrayList<>();
  private long seed = 42;
  private double rtol = RTOL;

  private ConformanceKit(String label, Supplier<Block> factory, Provider<?> provider) {
    this.label = label;
    this.factory = factory;
    this.provider = provider;
  }

  /**
   * Checks a denoiser provider with its default options on {@code N×C×H×W} inputs of several
   * sizes, including odd ones; set {@link DenoiserKit#channels} to suit the plugin.
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

  /** The checks, as dynamic tests named after the block and the case. */
  public Stream<DynamicTest> tests() {
    if (inputShapes.isEmpty()) {
      throw new IllegalStateException("give at least one input case with inputs(...)");
    }
    List<DynamicTest> tests = new ArrayList<>();
    if (provider != null) {
      tests.add(DynamicTest.dynamicTest(label + ": metadata", this::checkMetadata));
    }
    for (Shape[] shapes : inputShapes) {
      tests.add(DynamicTest.dynamicTest(label + ": ONNX Runtime equals DJL on " + Arrays.toString(shapes),
          () -> checkOnnxParity(shapes)));
    }
    tests.add(DynamicTest.dynamicTest(label + ": declared output shapes", this::checkDeclaredShapes));
    tests.add(DynamicTest.dynamicTest(label + ": parameters survive save and load", this::checkSaveLoad));
    tests.add(DynamicTest.dynamicTest(label + ": no scalar operand that autograd would read after it is freed",
        this::checkScalarOperands));
    return tests.stream();
  }

  /** Runs every check now, throwing the first failure; for use outside JUnit's dynamic tests. */
  public void run() throws Throwable {
    for (DynamicTest t : tests().toList()) {
      t.getExecutable().execute();
    }
  }

  /** The block's own jar or class directory holds no call that gives wrong gradients (see {@link ScalarOperandAudit}). */
  private void checkScalarOperands() throws IOException {
    Class<?> type = provider != null ? provider.getClass() : factory.get().getClass();
    assertThat(ScalarOperandAudit.scan(ScalarOperandAudit.codeSource(type)))
        .as("calls of NDArray.mul/div/pow/maximum/minimum(Number) in %s: autograd reads the scalar after DJL frees it;"
            + " use dev.lowlight.api.nn.Scalars", ScalarOperandAudit.codeSource(type)).isEmpty();
  }

  private void checkMetadata() {
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
    PluginDescriptor found = PluginRegistry.load().find(provider.kind(), provider.name());
    assertThat(found.provider().getClass()).as("%s registered in META-INF/services/%s", provider.name(),
        provider.kind().providerType().getName()).isEqualTo(provider.getClass());
  }

  private void checkOnnxParity(Shape[] shapes) throws OrtException {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Block block = newInitialisedBlock(manager, shapes);
      if (!(block instanceof OnnxLowerable lowerable)) {
        fail(label + " does not implement OnnxLowerable");
        return;
      }
      NDList inputs = randomInputs(manager, shapes);
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
    double sumSq = 0;
    for (float v : e) {
      if (Float.isNaN(v)) {
        fail(label + " output " + index + ": DJL forward produced NaN");
      }
      sumSq += (double) v * v;
    }
    double rms = Math.sqrt(sumSq / Math.max(1, e.length));
    double worst = 0;
    int worstAt = -1;
    for (int i = 0; i < e.length; i++) {
      double diff = Math.abs((double) a[i] - e[i]);
      double allowed = rtol * (Math.abs(e[i]) + rms + 1e-12);
      if (!(diff <= allowed)) {
        double ratio = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / allowed;
        if (ratio > worst) {
          worst = ratio;
          worstAt = i;
        }
      }
    }
    if (worstAt >= 0) {
      fail(String.format("%s output %d: ONNX Runtime differs from DJL at flat index %d: onnx=%g djl=%g "
          + "(|diff| is %.3g times the allowed %g relative)", label, index, worstAt, a[worstAt], e[worstAt], worst, rtol));
    }
  }

  private void checkDeclaredShapes() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      for (Shape[] shapes : inputShapes) {
        Block block = newInitialisedBlock(manager, shapes);
        NDList out = block.forward(new ParameterStore(manager, false), randomInputs(manager, shapes), false);
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
      Block original = newInitialisedBlock(manager, shapes);
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
      NDList inputs = randomInputs(manager, shapes);
      NDList x = original.forward(new ParameterStore(manager, false), inputs, false);
      NDList y = restored.forward(new ParameterStore(manager, false), inputs, false);
      for (int i = 0; i < x.size(); i++) {
        assertThat(Arrays.equals(y.get(i).toType(DataType.FLOAT32, false).toFloatArray(),
            x.get(i).toType(DataType.FLOAT32, false).toFloatArray())).as("%s output %d equal after load", label, i).isTrue();
      }
    }
  }

  private Block newInitialisedBlock(NDManager manager, Shape[] shapes) {
    Block block = factory.get();
    block.initialize(manager, DataType.FLOAT32, shapes);
    randomise(block);
    return block;
  }

  void randomise(Block block) {
    Random random = new Random(seed);
    for (Map.Entry<String, Parameter> e : TorchNames.parameters(block).entrySet()) {
      NDArray array = e.getValue().getArray();
      long[] dims = array.getShape().getShape();
      int n = (int) array.size();
      float[] values = new float[n];
      if (dims.length >= 2) {
        long fanIn = n / dims[0];
        double bound = 2.0 / Math.sqrt(Math.max(1, fanIn));
        for (int i = 0; i < n; i++) {
          values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
      } else {
        for (int i = 0; i < n; i++) {
          values[i] = (float) (0.5 + random.nextDouble());
        }
      }
      array.set(FloatBuffer.wrap(values));
    }
  }

  NDList randomInputs(NDManager manager, Shape[] shapes) {
    Random random = new Random(seed + 1);
    NDList list = new NDList();
    for (Shape s : shapes) {
      float[] v = new float[(int) s.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextGaussian();
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

  /**
   * The kit for a denoiser provider: {@code N×C×H×W} inputs, shape-preserving output.
   *
   * @param <O> the provider's options
   */
  public static final class DenoiserKit<O extends Record> {
    private final DenoiserProvider<O> provider;
    private O options;
    private int channels = 16;
    private List<long[]> sizes = new ArrayList<>(List.of(
        new long[] {1, 8, 8}, new long[] {2, 5, 7}, new long[] {1, 37, 53}));

    DenoiserKit(DenoiserProvider<O> provider) {
      this.provider = provider;
      this.options = provider.defaultOptions();
    }

    /** Channels of the feature maps (default 16). */
    public DenoiserKit<O> channels(int channels) {
      this.channels = channels;
      return this;
    }

    /** Options other than the defaults. */
    public DenoiserKit<O> options(O options) {
      this.options = options;
      return this;
    }

    /** Replaces the default sizes ({@code N, H, W}: 1x8x8, 2x5x7, 1x37x53). */
    public DenoiserKit<O> sizes(long[]... nhw) {
      this.sizes = List.of(nhw);
      return this;
    }

    /** The checks, including shape preservation. */
    public Stream<DynamicTest> tests() {
      ConformanceKit kit = ConformanceKit.forBlock(provider.name(), () -> provider.create(options, channels), provider);
      for (long[] s : sizes) {
        kit.inputs(new Shape(s[0], channels, s[1], s[2]));
      }
      DynamicTest preserves = DynamicTest.dynamicTest(provider.name() + ": preserves N×C×H×W", () -> {
        for (long[] s : sizes) {
          Shape in = new Shape(s[0], channels, s[1], s[2]);
          assertThat(provider.create(options, channels).getOutputShapes(new Shape[] {in}))
              .as("%s output shape for %s", provider.name(), in).containsExactly(in);
        }
      });
      DynamicTest dense = DynamicTest.dynamicTest(provider.name()
          + ": output is dense, so the next 1x1 convolution is safe on any CPU", () -> {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
          for (long[] s : sizes) {
            Shape in = new Shape(s[0], channels, s[1], s[2]);
            Block block = provider.create(options, channels);
            block.initialize(manager, DataType.FLOAT32, in);
            kit.randomise(block);
            for (boolean training : new boolean[] {false, true}) {
              NDArray out = block.forward(new ParameterStore(manager, false),
                  kit.randomInputs(manager, new Shape[] {in}), training).head();
              assertThat(EngineLayout.isDense(out)).as("%s output for %s (training=%s) is dense N×C×H×W, not a"
                  + " channels-last or strided view: oneDNN's 1x1 convolution after it divides by zero on CPUs"
                  + " that report no cache sizes; return dev.lowlight.api.nn.Layouts.dense(output)",
                  provider.name(), in, training).isTrue();
            }
          }
        }
      });
      return Stream.concat(kit.tests(), Stream.of(preserves, dense));
    }
  }
}
