/* Runs the README's client example (readme_client.c, cut from README.md by tests/cmake/run.sh):
 * with a port argument it publishes to a broker on 127.0.0.1 at that port; without, it only
 * proves the example compiled and linked against bmqtt::bmqtt and bmqtt::posix. */
#include <stdio.h>

int report(const char *reading);

int main(int argc, char **argv)
{
    (void)argv;
    if (argc < 2) {
        puts("readme_client: linked");
        return 0;
    }
    return report("21.5") == 0 ? 0 : 1;
}
