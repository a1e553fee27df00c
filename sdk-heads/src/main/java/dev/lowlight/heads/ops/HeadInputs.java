package dev.lowlight.heads.ops;

import dev.lowlight.api.spi.HeadContext;
import dev.lowlight.api.structures.ShapeSpec;
import java.util.Map;
import java.util.TreeMap;

/** Reads what a head needs from the neck's declared shapes. */
public final class HeadInputs {

  private HeadInputs() {}

  /**
   * The channels shared by every level of {@code context}; heads are shared across levels, so
   * levels with different channels are an error naming them.
   */
  public static int channels(HeadContext context, String head) {
    Map<String, ShapeSpec> shapes = context.inputShape();
    if (shapes.isEmpty()) {
      throw new IllegalArgumentException(head + " needs at least one input feature map, got none");
    }
    int channels = -1;
    for (Map.Entry<String, ShapeSpec> e : new TreeMap<>(shapes).entrySet()) {
      int c = e.getValue().channels();
      if (channels >= 0 && c != channels) {
        throw new IllegalArgumentException(head + " is shared across levels and needs equal channels, got "
            + new TreeMap<>(shapes));
      }
      channels = c;
    }
    return channels;
  }
}
