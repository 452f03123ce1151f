/*
 * hello: the smallest l4lab program.  It greets, shows its arguments, and
 * with the argument "exit" stops the machine (the boot test uses that).
 */
#include "ulib.h"

int main(int argc, char **argv)
{
    printf("hello from user mode: %s, %d argument(s)\n", argv[0], argc - 1);
    for (int i = 1; i < argc; i++)
        printf("  argv[%d] = %s\n", i, argv[i]);
    if (argc > 1 && strcmp(argv[argc - 1], "exit") == 0)
        l4_kdb_exit(0);
    return 0;
}
