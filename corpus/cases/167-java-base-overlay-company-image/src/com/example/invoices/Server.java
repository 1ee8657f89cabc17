package com.example.invoices;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

public final class Server {
    public static void main(String[] args) throws IOException {
        AtomicLong next = new AtomicLong(1000);
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/next", ex -> {
            byte[] body = ("INV-" + next.getAndIncrement()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }
}
