package dev.lowlight.model.export;

/**
 * How {@link OnnxExporter} writes a model.
 *
 * <pre>{@code
 * ExportOptions.defaults();                    // dynamic H and W, batch norms folded
 * ExportOptions.defaults().withStaticSize(800, 1067);
 * }</pre>
 *
 * @param staticHeight fixed input height, or 0 for a dynamic {@code H}
 * @param staticWidth fixed input width, or 0 for a dynamic {@code W}
 * @param foldBatchNorm fold every {@code Conv → BatchNormalization} pair with constant statistics
 *     into the convolution's weights and bias
 */
public record ExportOptions(int staticHeight, int staticWidth, boolean foldBatchNorm) {

  public ExportOptions {
    if (staticHeight < 0 || staticWidth < 0 || (staticHeight == 0) != (staticWidth == 0)) {
      throw new IllegalArgumentException("a static input size needs both sides >= 1 (or both 0 for dynamic), got "
          + staticHeight + "x" + staticWidth);
    }
  }

  /** Dynamic height and width, batch norms folded. */
  public static ExportOptions defaults() {
    return new ExportOptions(0, 0, true);
  }

  /** The same options with a fixed {@code height × width} input. */
  public ExportOptions withStaticSize(int height, int width) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("static size must be at least 1x1, got " + height + "x" + width);
    }
    return new ExportOptions(height, width, foldBatchNorm);
  }

  /**
   * Parses {@code "HxW"} (as {@code --static 800x1067}) into the same options with that fixed
   * size.
   */
  public ExportOptions withStaticSize(String heightByWidth) {
    String[] p = heightByWidth.trim().toLowerCase(java.util.Locale.ROOT).split("x");
    try {
      if (p.length == 2) {
        return withStaticSize(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
      }
    } catch (NumberFormatException e) {
      // reported below with the expected form
    }
    throw new IllegalArgumentException("static size must be HEIGHTxWIDTH such as 800x1067, got '" + heightByWidth + "'");
  }

  /** The same options, keeping batch norms as separate nodes. */
  public ExportOptions withoutFolding() {
    return new ExportOptions(staticHeight, staticWidth, false);
  }

  /** Whether the input size is fixed. */
  public boolean isStatic() {
    return staticHeight > 0;
  }
}
