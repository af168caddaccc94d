/** TLS for every protocol (engine-internal): certificates per server, chosen by SNI as nginx chooses them. */
package dev.modhttp.engine.tls;
