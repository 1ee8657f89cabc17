package com.example.files;

import java.nio.file.Files;
import java.nio.file.Path;

/** Saves a product sheet under the accented name it is given, in the JVM's default charset. */
public class Sheets {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of("sheets"));
        String name = args.length > 0 ? args[0] : "café-crème.txt";
        Files.writeString(dir.resolve(name), "crème brûlée, 4 €", java.nio.charset.Charset.defaultCharset());
        System.out.println("saved " + name);
    }
}
