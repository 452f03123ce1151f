/* `status N` exits with status N: the exit status of a Linux program must
   reach `make linux` (the server stops the machine with it). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    printf("status: exiting with %d\n", n);
    return n;
}
