FROM hello-world
ENV C trailing\\backslash\\
ENV D This should not be appended to C
ENV E three\\\
RUN echo after
