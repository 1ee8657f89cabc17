FROM busybox
CMD ['echo', 'single quotes are not JSON']
ENTRYPOINT ["/bin/sh", "-c"]
RUN ["echo", "ok"] 
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
