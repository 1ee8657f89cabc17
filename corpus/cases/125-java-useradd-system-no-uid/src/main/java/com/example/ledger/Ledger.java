package com.example.ledger;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends each POSTed line to /var/lib/ledger/entries.log and serves the count. */
public class Ledger {
    public static void main(String[] args) throws Exception {
        Path log = Path.of("/var/lib/ledger/entries.log");
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/entries", ex -> {
            if (ex.getRequestMethod().equals("POST")) {
                byte[] line = ex.getRequestBody().readAllBytes();
                Files.write(log, (new String(line, StandardCharsets.UTF_8).trim() + "\n").getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            long n = Files.exists(log) ? Files.readAllLines(log).size() : 0;
            byte[] body = ("entries=" + n + " user=" + System.getProperty("user.name") + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) { os.write(body); }
        });
        server.start();
    }
}
