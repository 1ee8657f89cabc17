package com.example.menu;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public final class Menu {
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of("dishes"));
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/dish", ex -> {
            String name = ex.getRequestURI().getPath().substring("/dish/".length());
            Path file = dir.resolve(name + ".txt");
            Files.writeString(file, ex.getRequestURI().getQuery() == null ? name : ex.getRequestURI().getQuery());
            byte[] body = Files.readString(file).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }
}
