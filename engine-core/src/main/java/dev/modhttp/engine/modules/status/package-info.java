/** nginx's stub_status page: connection and request counts as text. */
package dev.modhttp.engine.modules.status;
