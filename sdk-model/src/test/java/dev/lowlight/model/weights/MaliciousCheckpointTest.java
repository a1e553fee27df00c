package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lowlight.model.weights.Fixtures.Pickle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Files whose pickle would run code under plain {@code torch.load} must be refused, not run. */
class MaliciousCheckpointTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"malicious_os_system.pth", "malicious_eval.pth",
      "legacy_malicious_os_system.pth"})
  void torchSavedPayloadsAreRefusedNamingTheGlobalAndNothingRuns(String name) throws IOException {
    JsonNode info = Fixtures.expected().get("malicious").get(name);
    Path marker = Path.of(info.get("marker").asText());
    Files.deleteIfExists(marker);
    Path f = Fixtures.path(name);

    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOfSatisfying(ForbiddenGlobalException.class,
            e -> assertThat(e.global()).isEqualTo(info.get("global").asText()))
        .hasMessageContaining("'" + info.get("global").asText() + "'")
        .hasMessageContaining(f.toString());
    // The wrapper option must not change anything: the whole file is refused.
    assertThatThrownBy(() -> TorchCheckpointReader.builder().optStateDictKey("w").build()
        .readStateDict(f)).isInstanceOf(ForbiddenGlobalException.class);
    assertThat(marker).doesNotExist();
  }

  @ParameterizedTest
  @CsvSource({"subprocess,Popen", "builtins,eval", "builtins,exec", "os,system", "torch,load", "torch._utils,os",
      "collections,defaultdict", "torch.nn.modules.conv,Conv2d", "__builtin__,getattr"})
  void anyGlobalOutsideTheAllowListIsRefused(String module, String name) throws IOException {
    byte[] pkl = new Pickle().op('}').str("x").global(module, name).op(')', 'R', 's').stop();
    Path f = Fixtures.zip(tmp.resolve("evil.pth"), Map.of("evil/data.pkl", pkl));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(ForbiddenGlobalException.class)
        .hasMessageContaining("'" + module + "." + name + "'");
  }

  @Test
  void aForbiddenGlobalAfterValidTensorsStillFailsTheWholeLoad() throws IOException {
    byte[] pkl = new Pickle().op('}').str("w").tensor("0", 2, 0, new int[] {2}, new int[] {1})
        .op('s').str("z").shortStr("posix").shortStr("system").op(0x93).str("true").op(0x85, 'R', 's')
        .stop();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("evil/data.pkl", pkl);
    entries.put("evil/data/0", new byte[8]);
    Path f = Fixtures.zip(tmp.resolve("late.pth"), entries);
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(ForbiddenGlobalException.class).hasMessageContaining("'posix.system'");
  }

  @Test
  void objectBuildingOpcodesAreRefused() throws IOException {
    // NEWOBJ (0x81) would instantiate a class; even with an allowed global it is not accepted.
    byte[] pkl = new Pickle().global("collections", "OrderedDict").op(')', 0x81).stop();
    Path f = Fixtures.zip(tmp.resolve("newobj.pth"), Map.of("evil/data.pkl", pkl));
    assertThatThrownBy(() -> TorchCheckpointReader.read(f))
        .isInstanceOf(WeightsException.class).hasMessageContaining("opcode 0x81");
  }
}
