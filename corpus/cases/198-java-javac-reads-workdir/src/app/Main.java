package app;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

public class Main {
    public static void main(String[] args) throws Exception {
        String greeting;
        try {
            greeting = Files.readString(Path.of("config/greeting.txt")).trim();
        } catch (NoSuchFileException e) {
            greeting = "MISSING config/greeting.txt";
        }
        System.out.println(greeting);
    }
}
