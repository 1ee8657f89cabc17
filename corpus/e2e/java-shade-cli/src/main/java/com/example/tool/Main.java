package com.example.tool;

import org.apache.commons.lang3.StringUtils;

public class Main {
    static final String VERSION = "shadetool 2.0.1";

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--version")) {
            // the dependency is bundled in the shaded jar: this line needs commons-lang3 at runtime
            System.out.println(StringUtils.upperCase(VERSION.substring(0, 1)) + VERSION.substring(1));
            return;
        }
        for (String a : args) {
            System.out.println(StringUtils.reverse(a));
        }
    }
}
