/** The rewrite module's directives: {@code return} (rewrite itself comes with the standard modules). */
package dev.modhttp.engine.modules.rewrite;
