package com.example.boot.loader;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Starts the class named by Start-Class in the manifest, with BOOT-INF/classes
 * and every BOOT-INF/lib/*.jar of this jar on its class path, as Spring Boot's
 * JarLauncher does. Nested jars are written to a temporary folder first.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path self = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<URL> urls = new ArrayList<>();
        String startClass;
        try (JarFile jar = new JarFile(self.toFile())) {
            startClass = jar.getManifest().getMainAttributes().getValue("Start-Class");
            urls.add(new URL("jar:" + self.toUri() + "!/BOOT-INF/classes/"));
            Path libs = Files.createTempDirectory("boot-lib");
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String name = entry.getName();
                if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar")) {
                    Path out = libs.resolve(name.substring("BOOT-INF/lib/".length()));
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                    urls.add(out.toUri().toURL());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + self, e);
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        Method main = Class.forName(startClass, true, loader).getMethod("main", String[].class);
        main.invoke(null, (Object) args);
    }
}
