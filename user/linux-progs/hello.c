/* The first Linux program of Lab 5: an ordinary C program, built with the
   host's gcc -m32 -static against glibc, and run unchanged by the server. */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    return 0;
}
