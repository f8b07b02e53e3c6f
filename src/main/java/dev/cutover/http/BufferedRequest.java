package dev.cutover.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * A request whose body has already arrived whole ({@link BufferedBody}): the servlet layer reads it from memory, so
 * no worker thread ever blocks on the client. Read by one thread at a time, as Jetty's content contract says.
 */
final class BufferedRequest extends Request.Wrapper {
    private final byte[] body;
    private boolean consumed;

    BufferedRequest(Request wrapped, byte[] body) {
        super(wrapped);
        this.body = body;
    }

    @Override
    public long getLength() {
        return body.length;
    }

    @Override
    public Content.Chunk read() {
        if (consumed) {
            return Content.Chunk.EOF;
        }
        consumed = true;
        return Content.Chunk.from(ByteBuffer.wrap(body), true);
    }

    @Override
    public boolean consumeAvailable() {
        consumed = true;
        return true;
    }

    @Override
    public void demand(Runnable demandCallback) {
        // Everything is available already.
        demandCallback.run();
    }

    @Override
    public void fail(Throwable failure) {
        consumed = true;
    }
}
