package com.example.notes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** A notes service whose jar is built before `docker build`, outside the image. */
public final class Notes {
    private static final Path STORE = Path.of(System.getProperty("java.io.tmpdir"), "notes.txt");

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/health", ex -> reply(ex, 200, "ok"));
        server.createContext("/notes", Notes::notes);
        server.start();
        System.out.println("notes listening on 8080, storing in " + STORE);
    }

    private static void notes(HttpExchange ex) throws IOException {
        if ("POST".equals(ex.getRequestMethod())) {
            String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).trim();
            Files.writeString(STORE, text + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            reply(ex, 201, "saved " + Files.readAllLines(STORE).size());
            return;
        }
        List<String> lines = Files.exists(STORE) ? Files.readAllLines(STORE) : List.of();
        reply(ex, 200, String.join("\n", lines.stream().map(String::toUpperCase).toList()));
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
