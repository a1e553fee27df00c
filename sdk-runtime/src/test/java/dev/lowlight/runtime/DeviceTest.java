package dev.lowlight.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceTest {

  @Test
  void parsesEveryForm() {
    assertThat(Device.parse("cpu")).isEqualTo(Device.CPU);
    assertThat(Device.parse(" CUDA ")).isEqualTo(new Device(Device.Kind.CUDA, 0));
    assertThat(Device.parse("cuda:2")).isEqualTo(new Device(Device.Kind.CUDA, 2));
    assertThat(Device.parse("auto")).isEqualTo(new Device(Device.Kind.AUTO, 0));
    assertThat(Device.parse("cuda:3").toString()).isEqualTo("cuda:3");
    assertThat(Device.CPU.toString()).isEqualTo("cpu");
  }

  @Test
  void rejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> Device.parse("tpu")).hasMessageContaining("'tpu'").hasMessageContaining("cuda:N");
    assertThatThrownBy(() -> Device.parse("cuda:x")).hasMessageContaining("'cuda:x'");
    assertThatThrownBy(() -> Device.parse("cuda:-1")).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> Device.parse("cpu:1")).hasMessageContaining("cpu takes no index");
  }

  @Test
  void optionsValidateEachField() {
    PredictorOptions d = PredictorOptions.defaults();
    assertThat(d.device()).isEqualTo(Device.CPU);
    assertThat(d.scoreThreshold()).isEqualTo(0.05f);
    assertThat(d.maxDetections()).isEqualTo(100);
    assertThat(d.toBuilder().optMaxDetections(7).build().maxDetections()).isEqualTo(7);
    assertThatThrownBy(() -> PredictorOptions.builder().optScoreThreshold(1.5f).build())
        .hasMessageContaining("scoreThreshold").hasMessageContaining("1.5");
    assertThatThrownBy(() -> PredictorOptions.builder().optScoreThreshold(Float.NaN).build())
        .hasMessageContaining("scoreThreshold");
    assertThatThrownBy(() -> PredictorOptions.builder().optMaxDetections(0).build())
        .hasMessageContaining("maxDetections");
    assertThatThrownBy(() -> PredictorOptions.builder().optIntraOpThreads(-1).build())
        .hasMessageContaining("intraOpThreads");
  }
}
