/*
 * Clocks and sleeping (not yet).
 */
#include "linux.h"

uint16_t time_next_timeout(void)
{
    return L4_TIMEOUT_NEVER;
}

const struct lx_callent lx_time_calls[] = {
    {0, NULL},
};
