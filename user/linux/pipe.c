/*
 * Pipes (not yet).
 */
#include "linux.h"

const struct lx_callent lx_pipe_calls[] = {
    {0, NULL},
};
