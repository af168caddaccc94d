/** The client's real address from trusted proxies, nginx's realip module. */
package dev.modhttp.engine.modules.realip;
