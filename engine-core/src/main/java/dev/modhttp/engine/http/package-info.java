/** The request and response of an exchange, as handlers, filters and hooks see them. */
package dev.modhttp.engine.http;
