/** Response compression (gzip, and brotli and zstd when their libraries are present), as nginx's gzip filter. */
package dev.modhttp.engine.modules.compression;
