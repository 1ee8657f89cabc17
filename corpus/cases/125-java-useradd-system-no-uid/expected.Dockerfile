FROM maven:3-eclipse-temurin-17 AS build

WORKDIR /srv/ledger
COPY pom.xml .
COPY src ./src
RUN mvn -B -q package -DskipTests

# a system account with no fixed id, and the folder it writes to
RUN groupadd --system ledger \
 && useradd --system --gid ledger --no-create-home --shell /usr/sbin/nologin ledger \
 && mkdir -p /var/lib/ledger \
 && chown ledger:ledger /var/lib/ledger
RUN mkdir -p /tmp/dfsplit-dirs/1 && cp -a /var/lib/ledger /tmp/dfsplit-dirs/1/

# hadolint ignore=DL4006,SC2043
RUN --mount=type=bind,from=gcr.io/distroless/cc-debian13:nonroot,target=/tmp/dfsplit-base \
    set -eu; a=/tmp/dfsplit-accounts; mkdir -p "$a"; cp /tmp/dfsplit-base/etc/passwd /tmp/dfsplit-base/etc/group "$a/"; \
    for g in ledger; do grep "^$g:" /etc/group >> "$a/group"; done; \
    for u in ledger; do grep "^$u:" /etc/passwd >> "$a/passwd"; g=$(id -g "$u"); cut -d: -f3 "$a/group" | grep -qx "$g" || grep "^[^:]*:[^:]*:$g:" /etc/group >> "$a/group"; done; \
    for f in passwd group; do d=$(cut -d: -f1 "$a/$f" | sort | uniq -d; cut -d: -f3 "$a/$f" | sort | uniq -d); if [ -n "$d" ]; then echo "dfsplit: /etc/$f would hold two accounts with the same name or id: $d" >&2; exit 1; fi; done; \
    chmod 644 "$a/passwd" "$a/group"

# hadolint ignore=DL3003,DL4006,SC2086
RUN set -eu; in=''; n=0; \
    for f in $(find /srv/ledger/target/ledger.jar -name '*.jar' | sort -u); do \
      if jar tf "$f" | grep -q '^BOOT-INF/lib/'; then \
        n=$((n+1)); b="/tmp/jlink-boot$n"; mkdir -p "$b/root"; (cd "$b/root" && jar xf "$f"); mv "$b/root/BOOT-INF" "$b/inf"; \
        in="$in $b/root $b/inf/classes $(find "$b/inf/lib" -name '*.jar' | tr '\n' ' ')"; \
      else in="$in $f"; fi; \
    done; \
    for d in /srv/ledger/target/ledger.jar; do if [ -d "$d" ] && [ -z "$(find "$d" -name '*.jar' | head -n 1)" ] && [ -n "$(find "$d" -name '*.class' | head -n 1)" ]; then in="$in $d"; fi; done; \
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
WORKDIR /srv/ledger
COPY --from=build --chown=0:0 /tmp/dfsplit-accounts/passwd /tmp/dfsplit-accounts/group /etc/
COPY --from=build /tmp/dfsplit-dirs/1/ /var/lib/
COPY --from=build /opt/jre /opt/jre
COPY --from=build /tmp/dfsplit-localtime/ /etc/
COPY --from=debian:trixie-slim /usr/lib/locale/C.utf8 /usr/lib/locale/C.utf8
COPY --from=build /srv/ledger /srv/ledger
USER ledger

EXPOSE 8080
CMD ["java", "-jar", "target/ledger.jar"]
