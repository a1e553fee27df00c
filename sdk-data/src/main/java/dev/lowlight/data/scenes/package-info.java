/**
 * Procedural scenes, the SDK's embedded dataset: {@link dev.lowlight.data.scenes.SceneGenerator}
 * draws discs, rings, rotated rectangles, triangles, stars, ellipses and crosses with exact
 * instance masks on textured, unevenly lit backgrounds, from a seed.
 */
package dev.lowlight.data.scenes;
