package com.example.inventory;

public final class Inventory {
    public static void main(String[] args) {
        System.out.println("inventory up");
    }
}
