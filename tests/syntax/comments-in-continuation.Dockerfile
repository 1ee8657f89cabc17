FROM ubuntu:24.04
RUN apt-get update \
    # install the compilers
    && apt-get install -y gcc \

    # and clean up
    && rm -rf /var/lib/apt/lists/*
CMD ["bash"]
