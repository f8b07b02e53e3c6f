package dev.cutover.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/**
 * Builds multipart/form-data request bodies byte by byte, so tests control exactly what goes on the wire (the part
 * order, headers and boundary style an SDK uses, or a deliberately broken body).
 */
public final class MultipartBody {
    private final String boundary;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public MultipartBody(String boundary) {
        this.boundary = boundary;
    }

    public static MultipartBody create() {
        return new MultipartBody("cutover-test-boundary-7d1e4a");
    }

    public MultipartBody field(String name, String value) {
        return part("Content-Disposition: form-data; name=\"" + name + "\"", null, value.getBytes(StandardCharsets.UTF_8));
    }

    public MultipartBody file(String name, String filename, String contentType, byte[] content) {
        return part("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename + "\"", contentType, content);
    }

    /** A part with exactly the given disposition line and optional content type. */
    public MultipartBody part(String disposition, String contentType, byte[] content) {
        write("--" + boundary + "\r\n" + disposition + "\r\n");
        if (contentType != null) {
            write("Content-Type: " + contentType + "\r\n");
        }
        write("\r\n");
        out.writeBytes(content);
        write("\r\n");
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return copy.toByteArray();
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    /** A POST of this body to {@code uri}. */
    public HttpRequest.Builder post(URI uri) {
        return HttpRequest.newBuilder(uri).header("Content-Type", contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes()));
    }

    private void write(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
