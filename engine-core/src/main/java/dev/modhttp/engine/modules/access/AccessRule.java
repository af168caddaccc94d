package dev.modhttp.engine.modules.access;

import dev.modhttp.engine.config.Cidr;

/** One rule: {@code "allow 10.0.0.0/8"}, {@code "deny 2001:db8::/32"}, {@code "deny all"}. */
public record AccessRule(boolean allow, Cidr block) {

    public static AccessRule parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 2 || !parts[0].equals("allow") && !parts[0].equals("deny")) {
            throw new IllegalArgumentException("'" + text + "' is not \"allow|deny address[/prefix]|all\"");
        }
        return new AccessRule(parts[0].equals("allow"), Cidr.parse(parts[1]));
    }

    @Override
    public String toString() {
        return (allow ? "allow " : "deny ") + block;
    }
}
