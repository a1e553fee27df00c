package dev.lowlight.model.io;

import java.util.List;

/**
 * The 91 category names of torchvision's COCO detection models ({@code _COCO_CATEGORY_NAMES}):
 * index = label, {@code __background__} at 0 and {@code N/A} at the 11 COCO ids that have no
 * category, so a torchvision label is its COCO {@code category_id}.
 */
public final class CocoCategories {

  /** All 91 names, background included. */
  public static final List<String> NAMES = List.of(
      "__background__", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
      "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
      "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A", "N/A",
      "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
      "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork",
      "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza",
      "donut", "cake", "chair", "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A", "toilet",
      "N/A", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
      "refrigerator", "N/A", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush");

  private CocoCategories() {}

  /** Names of classes 1..90, the form a {@code ModelConfig}'s {@code class_names} takes. */
  public static List<String> classNames() {
    return NAMES.subList(1, NAMES.size());
  }
}
