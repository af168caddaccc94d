/** The headers module: add-header with per-scope inheritance modes, and expires. */
package dev.modhttp.engine.modules.headers;
