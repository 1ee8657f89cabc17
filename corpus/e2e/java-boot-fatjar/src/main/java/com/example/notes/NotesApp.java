package com.example.notes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import org.apache.commons.text.WordUtils;

/** A small notes service: GET /health, POST /notes (text body), GET /notes. */
public final class NotesApp {
    private static final Logger LOG = Logger.getLogger("notes");
    private static final List<String> NOTES = new CopyOnWriteArrayList<>();

    private NotesApp() {}

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8082"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health", ex -> send(ex, 200, "ok " + WordUtils.capitalize("notes service")));
        server.createContext("/notes", ex -> {
            if ("POST".equals(ex.getRequestMethod())) {
                String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).trim();
                NOTES.add(WordUtils.capitalizeFully(text));
                send(ex, 201, "saved " + NOTES.size());
            } else {
                send(ex, 200, String.join("\n", NOTES));
            }
        });
        server.start();
        LOG.info("notes listening on " + port);
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
