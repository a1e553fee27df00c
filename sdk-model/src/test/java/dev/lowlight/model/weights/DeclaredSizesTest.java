package dev.lowlight.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors a weights file declares are checked against the bytes the file has before anything that size is made. */
class DeclaredSizesTest {

  @TempDir Path dir;

  @Test
  void aSafetensorsHeaderClaimingAHugeTensorOverSixteenBytesIsRefused() {
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000,1000000000],\"data_offsets\":[0,16]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    assertThatThrownBy(() -> Safetensors.read(b.array(), "huge.safetensors")).isInstanceOf(WeightsException.class)
        .hasMessageStartingWith("huge.safetensors: ");
  }

  @Test
  void aCompressedStorageFarLargerThanTheFileIsRefusedBeforeItIsInflated() throws IOException {
    Path stored = dir.resolve("zeros.pth");
    float[] zeros = new float[4 << 20]; // 16 MiB of zeros: a few KiB once compressed
    TorchCheckpointWriter.write(new StateDict(Map.of("w", TensorData.ofFloats(DType.FLOAT32, new long[] {zeros.length},
        zeros))), stored);
    Path bomb = dir.resolve("bomb.pth");
    try (ZipFile in = new ZipFile(stored.toFile()); OutputStream file = Files.newOutputStream(bomb);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setMethod(ZipEntry.DEFLATED);
        out.putNextEntry(copy);
        in.getInputStream(entry).transferTo(out);
        out.closeEntry();
      }
    }
    assertThat(Files.size(bomb)).isLessThan(Files.size(stored) / 100);
    assertThatThrownBy(() -> TorchCheckpointReader.read(bomb)).isInstanceOf(WeightsException.class)
        .hasMessageContaining(bomb.toString()).hasMessageContaining("a compressed storage of 16777216 bytes in a file of")
        .hasMessageContaining("decompression bomb");
    assertThat(TorchCheckpointReader.read(stored).get("w").numel()).isEqualTo(zeros.length);
  }
}
