/** Variables ({@code $uri}, {@code $http_name}, ...): one vocabulary, compiled into templates at startup. */
package dev.modhttp.engine.variable;
