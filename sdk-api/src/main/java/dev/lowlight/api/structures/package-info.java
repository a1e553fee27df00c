/** Records that flow between plugins: shapes, feature maps, images, instances, samples. */
package dev.lowlight.api.structures;
