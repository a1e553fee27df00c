/**
 * The lowlight SDK's public contracts: the plugin SPIs ({@link dev.lowlight.api.spi}), the plugin
 * registry ({@link dev.lowlight.api.registry}), the model configuration ({@link
 * dev.lowlight.api.config}), the ONNX graph builder ({@link dev.lowlight.api.onnx}), shared
 * lowerable layers ({@link dev.lowlight.api.nn}) and the records that flow between plugins ({@link
 * dev.lowlight.api.structures}).
 *
 * <p>This module depends on DJL's {@code api} only, never on an engine: a plugin jar compiled
 * against it runs under whatever engine the application brings.
 */
package dev.lowlight.api;
