package dev.modhttp.engine.modules.limit;

/**
 * One {@code limit-req} entry as nginx writes it: {@code "zone=one burst=5 nodelay"} or
 * {@code "zone=one burst=12 delay=8"}. Requests above the zone's rate wait (up to
 * {@code burst} of them) so as to keep the rate; the first {@code delay} of them go on at once
 * ({@code nodelay}: all of them); beyond the burst they are rejected.
 */
public record LimitReq(String zone, int burst, int delay) {

    public static LimitReq parse(String text) {
        String zone = null;
        int burst = 0;
        Integer delay = null;
        boolean nodelay = false;
        for (String p : text.trim().split("\\s+")) {
            if (p.startsWith("zone=")) {
                zone = p.substring(5);
            } else if (p.startsWith("burst=")) {
                burst = number(p, 6);
            } else if (p.startsWith("delay=")) {
                delay = number(p, 6);
            } else if (p.equals("nodelay")) {
                nodelay = true;
            } else {
                throw new IllegalArgumentException("unknown parameter '" + p
                        + "' (expected \"zone=name [burst=N] [nodelay | delay=N]\")");
            }
        }
        if (zone == null || zone.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no zone=name");
        }
        if (nodelay && delay != null) {
            throw new IllegalArgumentException("nodelay and delay= cannot both be set");
        }
        return new LimitReq(zone, burst, nodelay ? Integer.MAX_VALUE : delay == null ? 0 : delay);
    }

    private static int number(String p, int from) {
        try {
            int n = Integer.parseInt(p.substring(from));
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + p + "' needs a number of 0 or more");
    }
}
