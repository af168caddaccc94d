/** Scopes, typed config records and their merge, servers and nginx-exact location selection. */
package dev.modhttp.engine.config;
