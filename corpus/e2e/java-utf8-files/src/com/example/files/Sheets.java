package com.example.files;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Product sheets kept as files in sheets/, named as the client asks. The
 * file names and contents go through the JVM's defaults (FileWriter,
 * FileReader, Path), so they follow the locale the app runs in.
 */
public class Sheets {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of("sheets");
        Files.createDirectories(dir);
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/health", ex -> send(ex, 200, "ok"));
        server.createContext("/encoding", ex -> send(ex, 200,
                "file.encoding=" + System.getProperty("file.encoding")
                + " sun.jnu.encoding=" + System.getProperty("sun.jnu.encoding")));
        server.createContext("/sheets", ex -> {
            try {
                if ("POST".equals(ex.getRequestMethod())) {
                    String query = ex.getRequestURI().getRawQuery();
                    String name = URLDecoder.decode(query.substring(query.indexOf('=') + 1), StandardCharsets.UTF_8);
                    String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    try (Writer w = new FileWriter(dir.resolve(name).toFile())) {
                        w.write(text);
                    }
                    send(ex, 201, "saved " + name);
                } else {
                    StringBuilder out = new StringBuilder();
                    try (Stream<Path> files = Files.list(dir)) {
                        for (Path p : files.sorted().collect(Collectors.toList())) {
                            out.append(p.getFileName()).append(": ").append(read(p)).append('\n');
                        }
                    }
                    send(ex, 200, out.toString());
                }
            } catch (RuntimeException | IOException e) {
                send(ex, 500, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        server.start();
    }

    private static String read(Path p) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Reader r = new FileReader(p.toFile())) {
            char[] buf = new char[4096];
            for (int n; (n = r.read(buf)) > 0; ) {
                sb.append(buf, 0, n);
            }
        }
        return sb.toString();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
