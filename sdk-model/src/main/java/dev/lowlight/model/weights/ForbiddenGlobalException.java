package dev.lowlight.model.weights;

/**
 * A pickle names a Python global that a state dict never needs ({@code posix.system},
 * {@code builtins.eval}, {@code subprocess.Popen}, ...). Such a file could run code when loaded
 * by plain {@code torch.load}; it is refused as soon as the global is read, before any tensor
 * is returned.
 */
public final class ForbiddenGlobalException extends WeightsException {

  private final String global;

  /**
   * Creates the error.
   *
   * @param file the file (and entry) being read, for the message
   * @param global the fully qualified global, {@code module.name}
   */
  public ForbiddenGlobalException(String file, String global) {
    super(file + ": refused to load: the pickle references the forbidden global '" + global
        + "'; only state-dict globals (collections.OrderedDict, torch._utils._rebuild_tensor_v2,"
        + " torch.*Storage, ...) are allowed. The file may be malicious; it was not executed.");
    this.global = global;
  }

  /** The refused global as {@code module.name}. */
  public String global() {
    return global;
  }
}
