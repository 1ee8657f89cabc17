FROM maven:3.9-eclipse-temurin-17 AS build

WORKDIR /usr/src/app

COPY pom.xml .
COPY src ./src

# runs the unit tests, then repackages target/app.jar as an executable jar
RUN mvn -B package
RUN mkdir -p /tmp/dfsplit-owned/1/app && chown 65532:65532 /tmp/dfsplit-owned/1/app

# hadolint ignore=DL3003,DL4006,SC2086
RUN set -eu; in=''; n=0; \
    for f in $(find /usr/src/app/target/app.jar -name '*.jar' | sort -u); do \
      if jar tf "$f" | grep -q '^BOOT-INF/lib/'; then \
        n=$((n+1)); b="/tmp/jlink-boot$n"; mkdir -p "$b/root"; (cd "$b/root" && jar xf "$f"); mv "$b/root/BOOT-INF" "$b/inf"; \
        in="$in $b/root $b/inf/classes $(find "$b/inf/lib" -name '*.jar' | tr '\n' ' ')"; \
      else in="$in $f"; fi; \
    done; \
    for d in /usr/src/app/target/app.jar; do if [ -d "$d" ] && [ -z "$(find "$d" -name '*.jar' | head -n 1)" ] && [ -n "$(find "$d" -name '*.class' | head -n 1)" ]; then in="$in $d"; fi; done; \
    all=$(java --list-modules | sed 's/@.*//'); \
    if mods=$(jdeps --ignore-missing-deps --print-module-deps --multi-release "$(jdeps --version | cut -d. -f1)" $in); then :; \
    else echo 'jdeps failed: linking every module' >&2; mods=$(echo "$all" | paste -sd, -); fi; \
    for m in jdk.crypto.ec jdk.unsupported java.naming jdk.naming.dns jdk.zipfs jdk.localedata jdk.charsets; do \
      if echo "$all" | grep -qx "$m"; then mods="$mods,$m"; fi; \
    done; \
    echo "jlink modules: $mods"; \
    jlink --strip-debug --no-man-pages --no-header-files --add-modules "$mods" --output /opt/jre \
      || { rm -rf /opt/jre; jlink --no-man-pages --no-header-files --add-modules "$mods" --output /opt/jre; }; \
    jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")"); \
    if [ -e "$jdk/lib/security/cacerts" ]; then cp -L "$jdk/lib/security/cacerts" /opt/jre/lib/security/cacerts; fi; \
    for lib in $(ldd /opt/jre/bin/java /opt/jre/lib/*.so /opt/jre/lib/server/*.so 2>/dev/null | awk '$3 ~ /^\// {print $3}' | sort -u); do \
      case "${lib##*/}" in libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libgcc_s.so*|libstdc++.so*) ;; \
        *) case "$lib" in /opt/jre/*) ;; *) cp -L "$lib" /opt/jre/lib/ ;; esac ;; esac; \
    done
RUN mkdir -p /tmp/dfsplit-localtime && if [ -L /etc/localtime ] || [ -e /etc/localtime ]; then cp -P /etc/localtime /tmp/dfsplit-localtime/; fi

FROM gcr.io/distroless/cc-debian13:nonroot AS runtime
ENV JAVA_HOME=/opt/jre PATH="/opt/jre/bin:$PATH"
ENV LANG=C.UTF-8
WORKDIR /usr/src/app
COPY --from=build /opt/jre /opt/jre
COPY --from=build /tmp/dfsplit-localtime/ /etc/
COPY --from=debian:trixie-slim /usr/lib/locale/C.utf8 /usr/lib/locale/C.utf8
COPY --from=build --chown=65532:65532 /usr/src/app/target/app.jar /usr/src/app/target/app.jar
COPY --from=build /tmp/dfsplit-owned/1/ /usr/src/

EXPOSE 8080
CMD ["java", "-jar", "target/app.jar"]
