/** nginx's proxy and upstream modules: {@code proxy-pass} to backends, upstream groups, pooled connections. */
package dev.modhttp.engine.modules.proxy;
