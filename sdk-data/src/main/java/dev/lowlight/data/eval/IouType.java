package dev.lowlight.data.eval;

/** What COCO evaluation compares: boxes or masks. */
public enum IouType {
  /** Box IoU on xywh boxes. */
  BBOX("bbox"),
  /** Mask IoU on run-length masks. */
  SEGM("segm");

  private final String jsonName;

  IouType(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name pycocotools and the JSON output use: {@code bbox} or {@code segm}. */
  public String jsonName() {
    return jsonName;
  }
}
