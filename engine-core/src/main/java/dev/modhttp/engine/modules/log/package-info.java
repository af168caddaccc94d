/** The access log, nginx's log module: formats of variables, written off the event loop. */
package dev.modhttp.engine.modules.log;
