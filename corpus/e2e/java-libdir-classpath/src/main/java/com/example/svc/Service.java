package com.example.svc;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.apache.commons.text.WordUtils;

public class Service {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--probe")) {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:8081/health").openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            System.exit(c.getResponseCode() == 200 ? 0 : 1);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", 8081), 0);
        server.createContext("/health", ex -> {
            // commons-text comes from target/lib via the manifest Class-Path
            byte[] body = WordUtils.capitalize("ok from libdir").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) { os.write(body); }
        });
        server.start();
        System.out.println("listening on 8081");
    }
}
