package com.example.orders;

public final class Orders {
    public static void main(String[] args) {
        System.out.println("orders up");
    }
}
