/** Static files: root and alias mapping, index files, directory redirects, zero-copy sending. */
package dev.modhttp.engine.modules.staticfiles;
