package dev.modhttp.engine.module;

/** A hook's answer: go on to the next hook, finished (with a status), or error. */
public final class HookResult {

    public static final HookResult GO_ON = new HookResult(0);
    public static final HookResult ERROR = new HookResult(500);

    private final int status;

    private HookResult(int status) {
        this.status = status;
    }

    /** Stops the walk; where a request is at stake it ends with {@code status}. */
    public static HookResult finished(int status) {
        return new HookResult(status);
    }

    public boolean goOn() {
        return this == GO_ON;
    }

    public boolean isError() {
        return this == ERROR;
    }

    /** The status to finish with (500 for ERROR), 0 for GO_ON. */
    public int status() {
        return status;
    }

    @Override
    public String toString() {
        return this == GO_ON ? "GO_ON" : this == ERROR ? "ERROR" : "FINISHED(" + status + ")";
    }
}
