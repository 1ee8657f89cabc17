#include <event2/event.h>
#include <stdio.h>

int main(void) {
    struct event_base *base = event_base_new();
    printf("listening on 8888\n");
    event_base_dispatch(base);
    return 0;
}
