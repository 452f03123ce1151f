/* A small deterministic random generator for the host unit tests. */
#ifndef UNIT_RNG_H
#define UNIT_RNG_H

#include <stdint.h>

/* xorshift32 (Marsaglia): a fixed seed gives the same run everywhere.
   Each test file has its own state; a test seeds it before use. */
static uint32_t rng_state;

static inline uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

#endif
