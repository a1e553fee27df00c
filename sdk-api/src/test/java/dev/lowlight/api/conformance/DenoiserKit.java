package dev.lowlight.api.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.Option;
import dev.lowlight.api.spi.OptionInfo;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;

/**
 * The kit for a denoiser provider: {@code N×C×H×W} inputs, shape-preserving dense output.
 *
 * <p><b>Which options are tested.</b> The provider's default options, or the sets given to {@link
 * #options}; and, unless {@link #rangeEnds(boolean) rangeEnds(false)}, each of those with one
 * option moved to each end of the range its {@link Option} declares ({@code min}, {@code max}),
 * to each value it lists ({@code values}), to the other boolean value, or to each other constant
 * of an enum. A variation the options record itself refuses (a combination its constructor
 * forbids), or one the provider refuses for the channel count, is reported as skipped with the
 * reason. Options without a declared range are tested only at the values of the given sets.
 *
 * <p>Every option set gets the ONNX Runtime comparison on each size and the shape checks; the
 * given sets also get the layout check in training and inference, save and load, the metadata
 * and the scalar-operand audit.
 *
 * @param <O> the provider's options
 */
public final class DenoiserKit<O extends Record> {

  private final DenoiserProvider<O> provider;
  private List<O> optionSets;
  private int channels = 16;
  private boolean rangeEnds = true;
  private long seed = 42;
  private final List<String> positive = new ArrayList<>();
  private List<long[]> sizes = new ArrayList<>(List.of(
      new long[] {1, 8, 8}, new long[] {2, 5, 7}, new long[] {1, 37, 53}));

  DenoiserKit(DenoiserProvider<O> provider) {
    this.provider = provider;
    this.optionSets = List.of(provider.defaultOptions());
  }

  /** Channels of the feature maps (default 16). */
  public DenoiserKit<O> channels(int channels) {
    this.channels = channels;
    return this;
  }

  /** The option sets to test instead of the defaults (each also varied at its range ends). */
  @SafeVarargs
  public final DenoiserKit<O> options(O... sets) {
    if (sets.length == 0) {
      throw new IllegalArgumentException("give at least one option set");
    }
    this.optionSets = List.of(sets);
    return this;
  }

  /** Whether to vary each declared option to the ends of its range (default true). */
  public DenoiserKit<O> rangeEnds(boolean vary) {
    this.rangeEnds = vary;
    return this;
  }

  /** Replaces the default sizes ({@code N, H, W}: 1x8x8, 2x5x7, 1x37x53). */
  public DenoiserKit<O> sizes(long[]... nhw) {
    this.sizes = List.of(nhw);
    return this;
  }

  /** The seed of parameter and input values. */
  public DenoiserKit<O> seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Parameters that must stay positive, as {@link ConformanceKit#positive}. */
  public DenoiserKit<O> positive(String... nameSuffixes) {
    positive.addAll(List.of(nameSuffixes));
    return this;
  }

  /** The checks of every option set. */
  public Stream<DynamicTest> tests() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < optionSets.size(); i++) {
      O options = optionSets.get(i);
      tests.addAll(checks(options, label(options), i == 0, true));
      if (rangeEnds) {
        for (Variation<O> v : variations(options)) {
          if (v.options() == null) {
            tests.add(skipped(v.label(), v.why()));
          } else if (optionSets.contains(v.options())) {
            continue; // tested as a given set already
          } else {
            tests.addAll(checks(v.options(), v.label(), false, false));
          }
        }
      }
    }
    return tests.stream();
  }

  private List<DynamicTest> checks(O options, String label, boolean first, boolean given) {
    try {
      provider.create(options, channels);
    } catch (IllegalArgumentException e) {
      return List.of(skipped(label, provider.name() + " refuses these options for " + channels + " channels: "
          + e.getMessage()));
    }
    ConformanceKit kit = ConformanceKit.forBlock(label, () -> provider.create(options, channels),
        first ? provider : null).seed(seed).positive(positive.toArray(String[]::new));
    for (long[] s : sizes) {
      kit.inputs(new Shape(s[0], channels, s[1], s[2]));
    }
    List<DynamicTest> tests = new ArrayList<>(kit.checks(given));
    tests.add(ConformanceKit.named(label + ": preserves N×C×H×W", () -> {
      for (long[] s : sizes) {
        Shape in = new Shape(s[0], channels, s[1], s[2]);
        assertThat(provider.create(options, channels).getOutputShapes(new Shape[] {in}))
            .as("%s output shape for %s", label, in).containsExactly(in);
      }
    }));
    // training can be refused for large inputs at some options (a memory cap), so only the given sets train
    boolean[] modes = given ? new boolean[] {false, true} : new boolean[] {false};
    tests.add(ConformanceKit.named(label + ": output is dense, so the next 1x1 convolution is safe on any CPU", () -> {
      try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
        for (int c = 0; c < sizes.size(); c++) {
          long[] s = sizes.get(c);
          Shape in = new Shape(s[0], channels, s[1], s[2]);
          Block block = provider.create(options, channels);
          block.initialize(manager, DataType.FLOAT32, in);
          kit.randomise(block, c);
          for (boolean training : modes) {
            NDArray out = block.forward(new ParameterStore(manager, false),
                kit.randomInputs(manager, new Shape[] {in}, c), training).head();
            assertThat(EngineLayout.isDense(out)).as("%s output for %s (training=%s) is dense N×C×H×W, not a"
                + " channels-last or strided view: oneDNN's 1x1 convolution after it divides by zero on CPUs"
                + " that report no cache sizes; return dev.lowlight.api.nn.Layouts.dense(output)",
                label, in, training).isTrue();
          }
        }
      }
    }));
    return tests;
  }

  private static DynamicTest skipped(String label, String why) {
    return DynamicTest.dynamicTest(label + ": skipped", () -> {
      throw new TestAbortedException(label + ": " + why);
    });
  }

  /** {@code se-smooth} for the defaults, {@code se-smooth [reduction=1, mode=fast]} for others. */
  private String label(O options) {
    List<String> diff = differences(options);
    return diff.isEmpty() ? provider.name() : provider.name() + " " + diff;
  }

  /** {@code key=value} of each option that differs from the defaults. */
  private List<String> differences(O options) {
    List<String> diff = new ArrayList<>();
    O defaults = provider.defaultOptions();
    for (RecordComponent c : options.getClass().getRecordComponents()) {
      Object v = value(c, options);
      if (!Objects.equals(v, value(c, defaults))) {
        diff.add(OptionInfo.snakeCase(c.getName()) + "=" + v);
      }
    }
    return diff;
  }

  /** One option moved from a given set; {@code options} is null when the record refused it. */
  private record Variation<O>(String label, O options, String why) {}

  private List<Variation<O>> variations(O base) {
    List<Variation<O>> out = new ArrayList<>();
    RecordComponent[] components = base.getClass().getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      Object current = value(c, base);
      for (Object v : ends(c)) {
        if (Objects.equals(v, current)) {
          continue;
        }
        List<String> from = differences(base);
        String label = provider.name() + " [" + OptionInfo.snakeCase(c.getName()) + "=" + v + "]"
            + (from.isEmpty() ? "" : " of " + from);
        Object[] args = new Object[components.length];
        for (int j = 0; j < components.length; j++) {
          args[j] = j == i ? v : value(components[j], base);
        }
        try {
          out.add(new Variation<>(label, construct(base, components, args), null));
        } catch (IllegalArgumentException e) {
          out.add(new Variation<>(label, null, "the options record refuses this combination: " + e.getMessage()));
        }
      }
    }
    return out;
  }

  /** The values an option is tried at: its declared range ends or values, both booleans, every enum constant. */
  private static List<Object> ends(RecordComponent c) {
    Class<?> t = c.getType();
    Option doc = c.getAnnotation(Option.class);
    List<Object> out = new ArrayList<>();
    if (t == boolean.class || t == Boolean.class) {
      out.add(false);
      out.add(true);
    } else if (t.isEnum()) {
      out.addAll(Arrays.asList(t.getEnumConstants()));
    } else if (doc != null && t == String.class) {
      out.addAll(Arrays.asList(doc.values()));
    } else if (doc != null) {
      for (double bound : new double[] {doc.min(), doc.max()}) {
        if (Double.isInfinite(bound)) {
          continue;
        }
        if (t == int.class || t == Integer.class) {
          out.add((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, bound)));
        } else if (t == long.class || t == Long.class) {
          out.add((long) bound);
        } else if (t == double.class || t == Double.class) {
          out.add(bound);
        } else if (t == float.class || t == Float.class) {
          out.add((float) bound);
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private O construct(O base, RecordComponent[] components, Object[] args) {
    Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
    try {
      Constructor<?> ctor = base.getClass().getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return (O) ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalStateException("cannot build " + base.getClass().getName() + ": " + e.getCause(), e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + base.getClass().getName() + ": " + e, e);
    }
  }

  private static Object value(RecordComponent c, Record r) {
    try {
      var accessor = c.getAccessor();
      accessor.setAccessible(true);
      return accessor.invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read option " + c.getName(), e);
    }
  }
}
