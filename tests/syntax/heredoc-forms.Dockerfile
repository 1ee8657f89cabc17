FROM debian:12
RUN <<EOF
apt-get update
apt-get install -y curl
EOF
RUN cat <<-"END" > /etc/motd && cat <<EOT2 >> /etc/motd
		quoted $NOT_EXPANDED
	END
second $HOME
EOT2
COPY --chmod=755 <<script.sh /usr/local/bin/hello
#!/bin/sh
echo hi
script.sh
RUN python3 3<<PY
print(1)
PY
