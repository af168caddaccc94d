/** Response compression with gzip, as nginx's gzip filter. */
package dev.modhttp.engine.modules.gzip;
