package com.example.ledger;

public final class Ledger {
    public static void main(String[] args) {
        System.out.println("ledger up");
    }
}
