/**
 * The model configuration: records mirroring the file's keys ({@link
 * dev.lowlight.api.config.ModelConfig}), their validation, and the loader that reads JSON or YAML,
 * merges it onto torchvision's defaults and binds plugin options to typed records.
 */
package dev.lowlight.api.config;
