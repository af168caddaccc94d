/** Request rate and concurrency limits per key, nginx's limit_req and limit_conn modules. */
package dev.modhttp.engine.modules.limit;
