package com.example.billing;

public final class Billing {
    public static void main(String[] args) {
        System.out.println("billing up");
    }
}
