package dev.lowlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowlight.api.nn.Scalars;
import dev.lowlight.api.testing.ScalarOperandAudit;
import dev.lowlight.backbones.ResNetProvider;
import dev.lowlight.data.coco.CocoReader;
import dev.lowlight.denoise.WeightedNonLocalProvider;
import dev.lowlight.heads.ops.BoxCoder;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.runtime.LowlightPredictor;
import dev.lowlight.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No module calls {@code NDArray.mul/div/pow/maximum/minimum(Number)}: with DJL's PyTorch engine
 * the backward pass of these reads a scalar whose memory may already be freed, which made
 * training diverge at random iterations (issue 7). Code uses {@link Scalars} instead.
 */
class ScalarOperandAuditTest {

  @Test
  void noModuleGivesAutogradAScalarThatIsFreedBeforeBackward() throws Exception {
    List<String> found = new ArrayList<>();
    for (Class<?> anchor : List.of(Scalars.class, WeightedNonLocalProvider.class, ResNetProvider.class,
        BoxCoder.class, CocoReader.class, MaskRcnn.class, Trainer.class, LowlightPredictor.class, Main.class)) {
      Path source = ScalarOperandAudit.codeSource(anchor);
      ScalarOperandAudit.scan(source).forEach(f -> found.add(source.getFileName() + ": " + f));
    }
    assertThat(found).as("use dev.lowlight.api.nn.Scalars").isEmpty();
  }
}
