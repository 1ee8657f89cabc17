plugins {
    java
}

group = "com.acme"
version = "2.0.0"

java {
    toolchain {
        languageVersion.set(JavaLanguageVersion.of(21))
    }
}

repositories {
    mavenCentral()
}

tasks.jar {
    archiveFileName.set("migrate.jar")
    manifest {
        attributes["Main-Class"] = "com.acme.migrate.Main"
    }
}
