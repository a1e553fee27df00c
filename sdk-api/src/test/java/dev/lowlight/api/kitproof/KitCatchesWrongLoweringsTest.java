package dev.lowlight.api.kitproof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowlight.api.conformance.ConformanceKit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opentest4j.TestAbortedException;

/**
 * The mutation self-test of the conformance kit: a copy of a real third-party plugin passes it,
 * and every copy with one lowering step removed or one sign flipped fails it, each failure naming
 * the check. The first mutant ({@code DROP_RELU}) is the one the old kit let through: with every
 * bias positive and zero-mean inputs, the value before the ReLU was always positive.
 */
class KitCatchesWrongLoweringsTest {

  /** This module's test classes hold the scalar audit's own deliberate offenders, so that check is left out here. */
  private static boolean judged(DynamicTest t) {
    return !t.getDisplayName().contains("scalar operand");
  }

  @TestFactory
  Stream<DynamicTest> theRealPluginPasses() {
    return ConformanceKit.forDenoiser(new SeSmoothProvider()).channels(8).tests().filter(KitCatchesWrongLoweringsTest::judged);
  }

  @ParameterizedTest
  @EnumSource(value = SeSmoothBlock.Mutation.class, mode = EnumSource.Mode.EXCLUDE, names = "NONE")
  void everyMutantFailsNamingTheCheck(SeSmoothBlock.Mutation mutation) {
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (DynamicTest t : ConformanceKit.forDenoiser(new SeSmoothProvider(mutation)).channels(8).tests()
        .filter(t -> !t.getDisplayName().contains("metadata")).filter(KitCatchesWrongLoweringsTest::judged).toList()) {
      try {
        run++;
        t.getExecutable().execute();
      } catch (TestAbortedException e) {
        // an option combination the record refuses: not a verdict
      } catch (Throwable e) {
        assertThat(e.getMessage()).as("the failure message names the check").startsWith(t.getDisplayName());
        failures.add(t.getDisplayName());
      }
    }
    assertThat(run).isGreaterThan(10);
    assertThat(failures).as("the kit fails the %s mutant", mutation).isNotEmpty()
        .allMatch(name -> name.contains("ONNX Runtime equals DJL"));
    // caught at the default options, not only at a range end
    assertThat(failures).anyMatch(name -> name.startsWith("se-smooth: "));
  }
}
