/** The module SPI: config records, handler and filter registration, and lighttpd-style hooks. */
package dev.modhttp.engine.module;
