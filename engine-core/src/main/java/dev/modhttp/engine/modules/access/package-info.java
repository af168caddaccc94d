/** Access by client address, nginx's allow and deny. */
package dev.modhttp.engine.modules.access;
