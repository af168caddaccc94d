package dev.modhttp.engine.modules.staticfiles;

/**
 * nginx's autoindex module: {@code autoindex: on} lists a directory that has no index file
 * (else 403), as {@code autoindex-format: html} (nginx's page) or {@code json}.
 */
public record AutoindexConfig(Boolean autoindex, Format autoindexFormat) {

    public enum Format { HTML, JSON }

    public static final AutoindexConfig DEFAULTS = new AutoindexConfig(false, Format.HTML);
}
