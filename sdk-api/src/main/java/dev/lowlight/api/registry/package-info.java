/** Discovery of plugins through {@link java.util.ServiceLoader} and lookup by kind and name. */
package dev.lowlight.api.registry;
