FROM busybox
FOO bar
ENV PATH
CMD [ "echo", [ "nested" ] ]
RUN cat <<EOF
never ends
