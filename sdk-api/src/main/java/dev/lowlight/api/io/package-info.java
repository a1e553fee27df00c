/** File I/O shared by every module: durable, atomic writes. */
package dev.lowlight.api.io;
