package com.acme.migrate;

public final class Main {
    public static void main(String[] args) {
        String command = args.length > 0 ? args[0] : "status";
        System.out.println("migrate " + command);
    }
}
