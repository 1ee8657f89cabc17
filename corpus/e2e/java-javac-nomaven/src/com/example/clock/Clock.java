package com.example.clock;

import java.time.Instant;

public class Clock {
    public static void main(String[] args) {
        String user = System.getProperty("user.name");
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println("clock 1.0 running as " + user);
            return;
        }
        System.out.println(Instant.now());
    }
}
