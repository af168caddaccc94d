package dev.modhttp.engine.exchange;

/**
 * A response body being sent piece by piece, paced by the client: a file read in pieces
 * ({@link FileStreamer}) or a body produced over time ({@link StreamSink}). The protocol resumes it
 * when the connection (the stream on h2) becomes writable and closes it when the connection dies.
 */
public interface BodyPump {

    /** The client takes bytes again: send on. */
    void resume();

    /** Stops: what was not sent is released. Safe to call more than once. */
    void close();
}
