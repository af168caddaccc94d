/** HTTP Basic authentication against an htpasswd file, nginx's auth_basic. */
package dev.modhttp.engine.modules.auth;
