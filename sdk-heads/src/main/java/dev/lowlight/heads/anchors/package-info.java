/** Anchor boxes of the region proposal network, as torchvision's {@code AnchorGenerator}. */
package dev.lowlight.heads.anchors;
