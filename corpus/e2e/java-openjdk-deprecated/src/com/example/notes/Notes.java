package com.example.notes;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Notes kept one a line in notes.txt, in the working directory. */
public class Notes {
    public static void main(String[] args) throws Exception {
        Path file = Path.of("notes.txt");
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/health", ex -> send(ex, 200, "ok java " + Runtime.version().feature()));
        server.createContext("/notes", ex -> {
            if ("POST".equals(ex.getRequestMethod())) {
                String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).trim();
                Files.writeString(file, text + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                send(ex, 201, "saved " + text);
            } else {
                send(ex, 200, Files.exists(file) ? Files.readString(file) : "");
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        server.start();
    }

    private static void send(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
